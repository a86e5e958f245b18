"""`Customer.orders`: a page of one customer's orders, batched across the customers of a page."""

from collections.abc import Awaitable

from models.orders.search import OrderCriteria
from resolvers.context import Info
from resolvers.orders.types import ORDERS_CURSOR, OrderConnection
from resolvers.pagination import decode_cursor, window


def customer_orders(info: Info, customer_id: int, first: int | None, after: str | None,
                    criteria: OrderCriteria) -> Awaitable[OrderConnection]:
    """Checks the arguments now; the page itself comes with the other customers' pages."""
    page = window(first, after, None, None, info.context.max_page_size)
    cursor = tuple(decode_cursor(after, ORDERS_CURSOR)) if after else None
    return info.context.loaders.customer_orders(criteria, page, cursor).load(customer_id)
