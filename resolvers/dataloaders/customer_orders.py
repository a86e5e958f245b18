"""A page of orders per customer, with their items and stores, and their counts."""

from typing import TYPE_CHECKING, Any

from models.orders.search import (
    OrderCriteria,
    count_orders_of_customers,
    items_of_orders,
    orders_of_customers,
)
from resolvers.orders.types import Order, OrderConnection, OrderEdge, OrderItem, order_cursor
from resolvers.pagination import Window, page_info

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = OrderConnection


async def load_customer_orders(context: "Context", criteria: OrderCriteria, page: Window,
                               cursor: tuple[Any, ...] | None, keys: list[Key]
                               ) -> list[Result]:
    """Three statements for the whole batch: the orders, their items, their stores."""
    currency = context.organization.currency
    async with context.read_session() as session:
        rows = await orders_of_customers(session, keys, criteria, page.size + 1, cursor)
        shown = [o for orders in rows.values() for o in orders[: page.size]]
        items = await items_of_orders(session, [o.id for o in shown]) if shown else {}
    store_ids = sorted({o.store_id for o in shown if o.store_id is not None})
    stores = dict(zip(store_ids, await context.loaders.store.load_many(store_ids), strict=True))
    # Converted in two passes over all the rows (columns read by position), then put back
    # per order and per customer.
    item_rows = [item for o in shown for item in items.get(o.id, ())]
    all_items = OrderItem.from_rows(item_rows, currency)
    pages: dict[int, list[OrderEdge]] = {}
    start = 0
    for order in Order.from_rows(shown, currency):
        end = start + len(items.get(order.pk, ()))
        order.prefetched_items, start = all_items[start:end], end
        order.prefetched_store = stores.get(order.store_pk) if order.store_pk else None
        if order.customer_pk is not None:
            pages.setdefault(order.customer_pk, []).append(OrderEdge(order=order))
    connections = []
    for key in keys:
        edges = pages.get(key, [])
        # Only the first and last orders' cursors are needed, for the page info.
        cursors = ([order_cursor(edges[0].order), order_cursor(edges[-1].order)]
                   if edges else [])
        connections.append(OrderConnection(
            edges=edges, page_info=page_info(page, cursors, len(rows.get(key, ())) > page.size),
            customer_pk=key, criteria=criteria))
    return connections


async def load_order_counts(context: "Context", criteria: OrderCriteria, keys: list[Key]
                            ) -> list[int]:
    async with context.read_session() as session:
        counts = await count_orders_of_customers(session, keys, criteria)
    return [counts.get(key, 0) for key in keys]
