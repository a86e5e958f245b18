"""`Customer.orders`: a page of one customer's orders, batched across the customers of a page."""

from models.order_search import OrderCriteria
from resolvers.context import Info
from resolvers.orders.types import OrderConnection, OrderEdge
from resolvers.pagination import decode_cursor, encode_cursor, page_info, window

ORDERS_CURSOR = "orders:newest"


async def customer_orders(info: Info, customer_id: int, first: int | None, after: str | None,
                          criteria: OrderCriteria) -> OrderConnection:
    page = window(first, after, None, None, info.context.max_page_size)
    cursor = tuple(decode_cursor(after, ORDERS_CURSOR)) if after else None
    loader = info.context.loaders.customer_orders(criteria, page.size + 1, cursor)
    orders = await loader.load(customer_id)
    edges = [OrderEdge(cursor=encode_cursor(ORDERS_CURSOR, [o.placed_at, o.pk]), node=o)
             for o in orders[: page.size]]
    return OrderConnection(
        edges=edges,
        page_info=page_info(page, [e.cursor for e in edges], len(orders) > page.size),
        customer_pk=customer_id, criteria=criteria,
    )
