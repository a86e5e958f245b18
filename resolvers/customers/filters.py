"""`CustomerFilter` and its translation into the list rules' `CustomerCriteria`."""

from datetime import datetime
from decimal import Decimal
from typing import TypeVar

import strawberry

from models.core.enums import CustomerSource, CustomerType, RiskLevel, ShopperLevel
from models.core.money import to_minor
from models.customers.search import Between, CustomerCriteria
from resolvers.common import DateTimeRange, DecimalRange, IntRange
from resolvers.node import pk_of

T = TypeVar("T")


@strawberry.input(description="Filters on the customer list; they combine with AND.")
class CustomerFilter:
    ids: list[strawberry.ID] | None = None
    search: str | None = strawberry.field(
        default=None,
        description="One box over name, email, phone, external ID and membership ID; "
                    "ignores case and accents.")
    name: str | None = strawberry.field(
        default=None, description="Every word must appear in the name; ignores case and accents.")
    email: str | None = None
    phone: str | None = strawberry.field(
        default=None,
        description="As staff type it: `612 34 56 78`, `+34 612345678`, `0034…` or some digits.")
    types: list[CustomerType] | None = None
    sources: list[CustomerSource] | None = None
    store_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Customers who ordered at any of these stores.")
    main_store_ids: list[strawberry.ID] | None = None
    registered_at: DateTimeRange | None = None
    last_access_at: DateTimeRange | None = None
    last_order_at: DateTimeRange | None = None
    updated_at: DateTimeRange | None = strawberry.field(
        default=None, description="Customers changed in this range: any write to the customer "
                                  "(profile, consent, orders and points, merges) moves it. With "
                                  "`sort: [{field: UPDATED_AT}]`, what changed since a last sync.")
    order_count: IntRange | None = strawberry.field(
        default=None, description="`{max: 0}` finds those who never ordered.")
    total_spent: DecimalRange | None = None
    subscribed: bool | None = None
    risk_levels: list[RiskLevel] | None = None
    shopper_levels: list[ShopperLevel] | None = None
    tax_exempt: bool | None = None

    def to_criteria(self, currency: str) -> CustomerCriteria:
        return CustomerCriteria(
            ids=_pks(self.ids, "Customer"),
            search=self.search, name=self.name, email=self.email, phone=self.phone,
            types=_tuple(self.types), sources=_tuple(self.sources),
            store_ids=_pks(self.store_ids, "Store"),
            main_store_ids=_pks(self.main_store_ids, "Store"),
            registered_at=_times(self.registered_at), last_access_at=_times(self.last_access_at),
            last_order_at=_times(self.last_order_at), updated_at=_times(self.updated_at),
            order_count=Between(self.order_count.min, self.order_count.max)
            if self.order_count else None,
            total_spent=_money(self.total_spent, currency),
            subscribed=self.subscribed, risk_levels=_tuple(self.risk_levels),
            shopper_levels=_tuple(self.shopper_levels), tax_exempt=self.tax_exempt,
        )


def _tuple(values: list[T] | None) -> tuple[T, ...] | None:
    return tuple(values) if values is not None else None


def _pks(ids: list[strawberry.ID] | None, type_name: str) -> tuple[int, ...] | None:
    return tuple(pk_of(i, type_name) for i in ids) if ids is not None else None


def _times(times: DateTimeRange | None) -> Between[datetime] | None:
    return Between(times.from_, times.to) if times else None


def _money(bounds: DecimalRange | None, currency: str) -> Between[int] | None:
    if bounds is None:
        return None

    def minor(amount: Decimal | None) -> int | None:
        return to_minor(amount, currency) if amount is not None else None

    return Between(minor(bounds.min), minor(bounds.max))
