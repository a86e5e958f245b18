"""`MyProfile`: a signed-in customer's own profile, as the storefronts show it to them.

It is not the staff `Customer` type, which carries what the merchant keeps about a customer
(notes, risk and shopper levels, external ID, tax and age flags, the whole ledger). Orders come as
`MyOrder`, which has no way back to that type (the staff `Order.customer` does).
"""

from collections.abc import Awaitable
from datetime import date, datetime
from typing import Self

import strawberry

from models import customers
from models.core.enums import OrderChannel, OrderStatus
from models.orders.search import OrderCriteria
from resolvers.common import Money, PageInfo
from resolvers.context import Info
from resolvers.customers.orders import customer_orders
from resolvers.customers.types import (
    Address,
    ConsentEvent,
    Customer,
    Loyalty,
    MarketingConsent,
    OrderSummary,
    PhoneNumber,
)
from resolvers.node import to_global_id
from resolvers.orders.types import (
    Fulfilment,
    Order,
    OrderConnection,
    OrderFilter,
    OrderItem,
    order_cursor,
)
from resolvers.organizations.stores import Store


@strawberry.type(description="One of the signed-in customer's own orders.")
class MyOrder:
    id: strawberry.ID
    number: str
    channel: OrderChannel
    status: OrderStatus
    placed_at: datetime
    total: Money
    fulfilment: Fulfilment
    order: strawberry.Private[Order]

    @classmethod
    def of(cls, order: Order) -> Self:
        return cls(id=order.id, number=order.number, channel=order.channel, status=order.status,
                   placed_at=order.placed_at, total=order.total, fulfilment=order.fulfilment,
                   order=order)

    # The staff order's own resolvers: prefetched with the page, or through the loaders.
    @strawberry.field(graphql_type=Store | None)
    def store(self, info: Info) -> Store | Awaitable[Store | None] | None:
        return self.order.store(info)

    @strawberry.field(graphql_type=list[OrderItem])
    def items(self, info: Info) -> list[OrderItem] | Awaitable[list[OrderItem]]:
        return self.order.items(info)


@strawberry.type
class MyOrderEdge:
    cursor: str
    node: MyOrder


@strawberry.type
class MyOrderConnection:
    edges: list[MyOrderEdge]
    page_info: PageInfo
    connection: strawberry.Private[OrderConnection]

    @classmethod
    def of(cls, connection: OrderConnection) -> Self:
        return cls(edges=[MyOrderEdge(cursor=order_cursor(e.order), node=MyOrder.of(e.order))
                          for e in connection.edges],
                   page_info=connection.page_info, connection=connection)

    @strawberry.field
    def nodes(self) -> list[MyOrder]:
        return [edge.node for edge in self.edges]

    @strawberry.field(graphql_type=int, description="Your orders that match the filter.")
    def total_count(self, info: Info) -> Awaitable[int]:
        return self.connection.total_count(info)


@strawberry.type(description="The signed-in customer's own profile, orders and loyalty.")
class MyProfile:
    id: strawberry.ID
    first_name: str | None
    last_name: str | None
    email: str | None
    birthday: date | None
    registered_at: datetime | None
    staff: strawberry.Private[Customer]  # the staff view, whose resolvers these share

    @classmethod
    def from_row(cls, row: customers.Customer, currency: str) -> Self:
        return cls(id=to_global_id("Customer", row.id), first_name=row.first_name,
                   last_name=row.last_name, email=row.email, birthday=row.birthday,
                   registered_at=row.registered_at,
                   staff=Customer.from_row(row, currency))

    # Relations answer through the staff type's resolvers (the same loaders and batching);
    # only what a customer may see is declared here.
    @strawberry.field
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @strawberry.field
    def phone(self) -> PhoneNumber | None:
        e164 = self.staff.row.phone_e164
        return PhoneNumber(e164=e164) if e164 else None

    @strawberry.field(graphql_type=list[Address])
    def addresses(self, info: Info) -> Awaitable[list[Address]]:
        return self.staff.addresses(info)

    @strawberry.field
    def marketing_consent(self) -> MarketingConsent:
        row = self.staff.row
        return MarketingConsent(subscribed=row.subscribed, updated_at=row.consent_updated_at,
                                source=row.consent_source)

    @strawberry.field(graphql_type=list[ConsentEvent],
                      description="Every marketing decision, oldest first, and who took it.")
    def consent_history(self, info: Info) -> Awaitable[list[ConsentEvent]]:
        return self.staff.consent_history(info)

    @strawberry.field(graphql_type=Loyalty | None,
                      description="Null when you have no loyalty membership yet.")
    def loyalty(self, info: Info) -> Awaitable[Loyalty | None]:
        return self.staff.loyalty(info)

    @strawberry.field
    def order_summary(self) -> OrderSummary:
        return OrderSummary.of(self.staff.row, self.staff.currency)

    @strawberry.field(graphql_type=MyOrderConnection, description="Your orders, newest first.")
    async def orders(self, info: Info, first: int | None = None, after: str | None = None,
                     filter: OrderFilter | None = None) -> MyOrderConnection:
        connection = await customer_orders(
            info, self.staff.row.id, first, after,
            filter.to_criteria() if filter else OrderCriteria())
        return MyOrderConnection.of(connection)
