"""The `Customer` type and the small types its profile is made of."""

from collections.abc import Awaitable
from datetime import date, datetime
from functools import lru_cache
from typing import Self

import phonenumbers
import strawberry

from models import customers
from models.core.enums import (
    ActorKind,
    ConsentSource,
    CustomerSource,
    CustomerType,
    OrderStatus,
    Punctuality,
    RiskLevel,
    ShopperLevel,
)
from models.core.money import monthly_spend
from models.customers import consent
from models.customers.table import CustomerAddress
from models.loyalty import ledger
from models.orders.search import OrderCriteria
from resolvers.common import Money
from resolvers.context import Info
from resolvers.customers.activity import ActivityConnection, customer_activity
from resolvers.customers.orders import customer_orders
from resolvers.loyalty.types import LoyaltyLedgerEntry
from resolvers.node import Node, to_global_id
from resolvers.orders.types import OrderConnection, OrderFilter
from resolvers.organizations.stores import Store


@strawberry.type(description="A phone number, stored in E.164 and shown in the usual formats.")
class PhoneNumber:
    e164: str

    @strawberry.field
    def national(self) -> str:
        return _formats(self.e164)[0]

    @strawberry.field
    def international(self) -> str:
        return _formats(self.e164)[1]

    @strawberry.field(description="ISO 3166 country of the number, e.g. `ES`.")
    def country_code(self) -> str | None:
        return _formats(self.e164)[2]


@lru_cache(maxsize=65536)
def _formats(e164: str) -> tuple[str, str, str | None]:
    """National and international forms and the country: parsing is slow, numbers repeat."""
    number = phonenumbers.parse(e164)
    return (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
            phonenumbers.region_code_for_number(number))


@strawberry.type
class Address:
    label: str | None
    line1: str
    line2: str | None
    city: str | None
    postal_code: str | None
    region: str | None
    country: str | None

    @classmethod
    def from_row(cls, row: CustomerAddress) -> Self:
        return cls(label=row.label, line1=row.line1, line2=row.line2, city=row.city,
                   postal_code=row.postal_code, region=row.region, country=row.country)


@strawberry.type
class MarketingConsent:
    subscribed: bool
    updated_at: datetime | None
    source: ConsentSource | None


@strawberry.type(description="One marketing consent decision, in the order they were taken.")
class ConsentEvent:
    subscribed: bool
    source: ConsentSource
    occurred_at: datetime
    actor_kind: ActorKind

    @classmethod
    def from_row(cls, row: consent.ConsentEvent) -> Self:
        return cls(subscribed=row.subscribed, source=row.source, occurred_at=row.occurred_at,
                   actor_kind=row.actor_kind)


@strawberry.type
class Loyalty:
    provider: str
    membership_id: str | None
    points_balance: int
    points_earned: int = strawberry.field(description="Lifetime points earned; never reduced.")

    @classmethod
    def of(cls, membership: ledger.Membership, points_balance: int, points_earned: int
           ) -> Self:
        """The membership, with the balance read from the customer row."""
        return cls(provider=membership.provider, membership_id=membership.membership_id,
                   points_balance=points_balance, points_earned=points_earned)


@strawberry.type(description="Order aggregates; cancelled orders do not count.")
class OrderSummary:
    total_orders: int
    total_spent: Money
    average_order_value: Money
    monthly_spend: Money = strawberry.field(
        description="Total spent divided by the months since the first order (at least one).")
    first_order_at: datetime | None
    last_order_at: datetime | None
    last_order_status: OrderStatus | None
    last_order_punctuality: Punctuality | None

    @classmethod
    def of(cls, row: customers.Customer, currency: str) -> Self:
        return cls(
            total_orders=row.order_count,
            total_spent=Money.of(row.total_spent, currency),
            average_order_value=Money.of(row.average_spend, currency),
            monthly_spend=Money.of(monthly_spend(row.total_spent, row.first_order_at), currency),
            first_order_at=row.first_order_at, last_order_at=row.last_order_at,
            last_order_status=row.last_order_status,
            last_order_punctuality=row.last_order_punctuality,
        )


@strawberry.type
class Customer(Node):
    type: CustomerType
    first_name: str | None
    last_name: str | None
    email: str | None
    source: CustomerSource
    registered_at: datetime | None
    last_access_at: datetime | None
    last_activity_at: datetime | None
    birthday: date | None
    external_id: str | None
    shopper_level: ShopperLevel | None
    risk_level: RiskLevel | None
    company_name: str | None
    tax_exempt: bool
    age_restricted_allowed: bool
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None = strawberry.field(
        description="When the customer's personal data was erased on request.")
    row: strawberry.Private[customers.Customer]
    currency: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: customers.Customer, currency: str) -> Self:
        return cls(
            id=to_global_id("Customer", row.id), type=row.type, first_name=row.first_name,
            last_name=row.last_name, email=row.email, source=row.source,
            registered_at=row.registered_at, last_access_at=row.last_access_at,
            last_activity_at=row.last_activity_at, birthday=row.birthday,
            external_id=row.external_id, shopper_level=row.shopper_level,
            risk_level=row.risk_level, company_name=row.company_name,
            tax_exempt=row.tax_exempt, age_restricted_allowed=row.age_restricted_allowed,
            created_at=row.created_at, updated_at=row.updated_at, erased_at=row.erased_at,
            row=row, currency=currency,
        )

    @strawberry.field(description="Internal notes. Null for callers who may not read notes "
                                  "(a VIEWER without the `notes` grant), so that one query "
                                  "serves every role.")
    def notes(self, info: Info) -> str | None:
        return self.row.notes if info.context.shows_notes else None

    @strawberry.field
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @strawberry.field
    def phone(self) -> PhoneNumber | None:
        return PhoneNumber(e164=self.row.phone_e164) if self.row.phone_e164 else None

    @strawberry.field
    def marketing_consent(self) -> MarketingConsent:
        return MarketingConsent(subscribed=self.row.subscribed,
                                updated_at=self.row.consent_updated_at,
                                source=self.row.consent_source)

    @strawberry.field
    def order_summary(self) -> OrderSummary:
        return OrderSummary.of(self.row, self.currency)

    # Relations answer with the loader's future: no coroutine per customer
    # (docs/ARCHITECTURE.md, 5).
    @strawberry.field(graphql_type=list[Address])
    def addresses(self, info: Info) -> Awaitable[list[Address]]:
        return info.context.loaders.addresses.load(self.row.id)

    @strawberry.field(graphql_type=Store | None,
                      description="The store the customer registered at.")
    def main_store(self, info: Info) -> Awaitable[Store | None] | None:
        if self.row.main_store_id is None:
            return None
        return info.context.loaders.store.load(self.row.main_store_id)

    @strawberry.field(graphql_type=list[Store],
                      description="The stores the customer has ordered at.")
    def stores(self, info: Info) -> Awaitable[list[Store]]:
        return info.context.loaders.customer_stores.load(self.row.id)

    @strawberry.field(graphql_type=list[ConsentEvent])
    def consent_history(self, info: Info) -> Awaitable[list[ConsentEvent]]:
        return info.context.loaders.consent_history.load(self.row.id)

    @strawberry.field(graphql_type=Loyalty | None,
                      description="Null when the customer has no loyalty membership.")
    def loyalty(self, info: Info) -> Awaitable[Loyalty | None]:
        row = self.row
        return info.context.loaders.loyalty.load(
            (row.id, row.points_balance, row.points_earned))

    @strawberry.field(graphql_type=list[LoyaltyLedgerEntry],
                      description="Every movement of the customer's points, newest first.")
    def loyalty_ledger(self, info: Info) -> Awaitable[list[LoyaltyLedgerEntry]]:
        return info.context.loaders.loyalty_ledger.load(self.row.id)

    @strawberry.field(graphql_type=OrderConnection,
                      description="The customer's orders, newest first.")
    def orders(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: OrderFilter | None = None,
    ) -> Awaitable[OrderConnection]:
        return customer_orders(info, self.row.id, first, after,
                               filter.to_criteria() if filter else OrderCriteria())

    @strawberry.field(graphql_type=ActivityConnection,
                      description="The audit log: who changed what, and when; newest first.")
    def activity(self, info: Info, first: int | None = 20, after: str | None = None
                 ) -> Awaitable[ActivityConnection]:
        return customer_activity(info, self.row.id, first, after)

