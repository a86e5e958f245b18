"""The `Order` type, its items and fulfilment, and a customer's order connection."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from sqlalchemy.engine import Row

from models import orders
from models.core.enums import FulfilmentType, OrderChannel, OrderStatus, Punctuality
from models.orders.search import OrderCriteria
from resolvers.common import DateTimeRange, Money, PageInfo
from resolvers.context import Info
from resolvers.node import Node, pk_of, to_global_id
from resolvers.orders.loaders import OrderPages
from resolvers.organizations.stores import Store
from resolvers.pagination import Window, encode_cursor, page_info

if TYPE_CHECKING:
    from resolvers.customers.types import Customer



@strawberry.type
class OrderItem:
    name: str
    sku: str | None
    quantity: int
    unit_price: Money

    # Made when asked: a page shows hundreds of items, and the list page shows no totals.
    @strawberry.field
    def total(self) -> Money:
        return Money.of(self.unit_price_minor * self.quantity, self.unit_price.currency)

    unit_price_minor: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: orders.OrderItem | Row[Any], currency: str) -> Self:
        return cls.of(row.name, row.sku, row.quantity, row.unit_price, currency=currency)

    @classmethod
    def from_rows(cls, rows: Sequence[Row[Any]], currency: str) -> list[Self]:
        """Many rows of one statement, read by position (see `by_position`)."""
        pick = by_position(rows, ("name", "sku", "quantity", "unit_price"))
        return [cls.of(*pick(row), currency=currency) for row in rows]

    @classmethod
    def of(cls, name: str, sku: str | None, quantity: int, unit_price: int, *, currency: str
           ) -> Self:
        return cls(name=name, sku=sku, quantity=quantity,
                   unit_price=Money.of(unit_price, currency), unit_price_minor=unit_price)


def by_position(rows: Sequence[Row[Any]], names: tuple[str, ...]
                ) -> Callable[[Row[Any]], tuple[Any, ...]]:
    """The columns `names` (two or more) of rows that share one statement, as a tuple, read
    by index: a Row's attribute access costs ~0.25 us a column, sixteen times its index (a
    page of orders reads thousands)."""
    fields = rows[0]._fields if rows else names
    return itemgetter(*(fields.index(name) for name in names))


@strawberry.type
class Fulfilment:
    type: FulfilmentType
    promised_at: datetime | None
    delivered_at: datetime | None
    punctuality: Punctuality | None


# The columns `Order.of` takes, in its order.
ORDER_COLUMNS = ("id", "number", "external_id", "channel", "status", "placed_at", "total",
                 "fulfilment_type", "promised_at", "delivered_at", "punctuality", "store_id",
                 "customer_id")


@strawberry.type
class Order(Node):
    number: str
    external_id: str | None
    channel: OrderChannel
    status: OrderStatus
    placed_at: datetime
    total: Money
    fulfilment: Fulfilment
    store_pk: strawberry.Private[int | None]
    customer_pk: strawberry.Private[int | None]
    pk: strawberry.Private[int]
    # Filled when the order was read together with its items and store (a customer's page of
    # orders): the fields then answer without a loader round.
    prefetched_items: strawberry.Private[list[OrderItem] | None] = None
    prefetched_store: strawberry.Private[Store | None] = None

    @classmethod
    def from_row(cls, row: orders.Order | Row[Any], currency: str) -> Self:
        return cls.of(*(getattr(row, name) for name in ORDER_COLUMNS), currency=currency)

    @classmethod
    def from_rows(cls, rows: Sequence[Row[Any]], currency: str) -> list[Self]:
        """Many rows of one statement, read by position (see `by_position`)."""
        pick = by_position(rows, ORDER_COLUMNS)
        return [cls.of(*pick(row), currency=currency) for row in rows]

    @classmethod
    def of(cls, pk: int, number: str, external_id: str | None, channel: OrderChannel,
           status: OrderStatus, placed_at: datetime, total: int,
           fulfilment_type: FulfilmentType, promised_at: datetime | None,
           delivered_at: datetime | None, punctuality: Punctuality | None,
           store_id: int | None, customer_id: int | None, *, currency: str) -> Self:
        return cls(
            id=to_global_id("Order", pk), pk=pk, number=number, external_id=external_id,
            channel=channel, status=status, placed_at=placed_at,
            total=Money.of(total, currency),
            fulfilment=Fulfilment(type=fulfilment_type, promised_at=promised_at,
                                  delivered_at=delivered_at, punctuality=punctuality),
            store_pk=store_id, customer_pk=customer_id,
        )


    @strawberry.field(graphql_type=Store | None)
    def store(self, info: Info) -> Store | Awaitable[Store | None] | None:
        if self.store_pk is None or self.prefetched_store is not None:
            return self.prefetched_store
        return info.context.loaders.store.load(self.store_pk)

    @strawberry.field
    async def customer(
        self, info: Info
    ) -> Annotated["Customer", strawberry.lazy("resolvers.customers.types")] | None:
        if self.customer_pk is None:
            return None
        return await info.context.loaders.customer.load(self.customer_pk)

    @strawberry.field(graphql_type=list[OrderItem])
    def items(self, info: Info) -> list[OrderItem] | Awaitable[list[OrderItem]]:
        if self.prefetched_items is not None:
            return self.prefetched_items
        return info.context.loaders.order_items.load(self.pk)


@strawberry.input(description="Filters on a list of orders; they combine with AND.")
class OrderFilter:
    statuses: list[OrderStatus] | None = None
    channels: list[OrderChannel] | None = None
    store_ids: list[strawberry.ID] | None = None
    placed_at: DateTimeRange | None = None

    def to_criteria(self) -> OrderCriteria:
        placed = self.placed_at or DateTimeRange()
        return OrderCriteria(
            statuses=tuple(self.statuses) if self.statuses is not None else None,
            channels=tuple(self.channels) if self.channels is not None else None,
            store_ids=tuple(pk_of(i, "Store") for i in self.store_ids)
            if self.store_ids is not None else None,
            placed_from=placed.from_, placed_to=placed.to,
        )


ORDERS_CURSOR = "orders:newest"  # a customer's orders, newest first


def order_cursor(order: Order) -> str:
    """The cursor of an order in its customer's list (newest first)."""
    return encode_cursor(ORDERS_CURSOR, [order.placed_at, order.pk])


@strawberry.type
class OrderEdge:
    order: strawberry.Private[Order]

    # Encoded when asked: the list page asks for `nodes`, not for each order's cursor.
    @strawberry.field
    def cursor(self) -> str:
        return order_cursor(self.order)

    @strawberry.field
    def node(self) -> Order:
        return self.order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
    customer_pk: strawberry.Private[int]
    criteria: strawberry.Private[OrderCriteria]

    @classmethod
    def of_pages(cls, keys: Sequence[int], pages: OrderPages, stores: Mapping[int, Store | None],
                 page: Window, criteria: OrderCriteria, currency: str) -> list[Self]:
        """The connection of each customer of `keys`, from their pages of order rows, the
        items of those rows and the stores they name. Converted in two passes over all the
        rows (columns read by position), then put back per order and per customer."""
        size = page.size
        shown = [o for orders in pages.orders.values() for o in orders[:size]]
        items = pages.items
        item_rows = [item for o in shown for item in items.get(o.id, ())]
        all_items = OrderItem.from_rows(item_rows, currency)
        by_customer: dict[int, list[OrderEdge]] = {}
        start = 0
        for order in Order.from_rows(shown, currency):
            end = start + len(items.get(order.pk, ()))
            order.prefetched_items, start = all_items[start:end], end
            order.prefetched_store = stores.get(order.store_pk) if order.store_pk else None
            if order.customer_pk is not None:
                by_customer.setdefault(order.customer_pk, []).append(OrderEdge(order=order))
        connections = []
        for key in keys:
            edges = by_customer.get(key, [])
            # Only the first and last orders' cursors are needed, for the page info.
            cursors = ([order_cursor(edges[0].order), order_cursor(edges[-1].order)]
                       if edges else [])
            connections.append(cls(
                edges=edges,
                page_info=page_info(page, cursors, len(pages.orders.get(key, ())) > size),
                customer_pk=key, criteria=criteria))
        return connections

    @strawberry.field
    def nodes(self) -> list[Order]:
        return [edge.order for edge in self.edges]

    @strawberry.field(graphql_type=int, description="Orders of this customer that match the "
                                                    "filter.")
    def total_count(self, info: Info) -> Awaitable[int]:
        return info.context.loaders.order_count(self.criteria).load(self.customer_pk)
