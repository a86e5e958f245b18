"""Items of each order, in their order on the ticket, by order id."""

from typing import TYPE_CHECKING

from models.orders.search import items_of_orders
from resolvers.orders.types import OrderItem

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = list[OrderItem]


async def load_order_items(context: "Context", keys: list[Key]) -> list[Result]:
    currency = context.organization.currency
    async with context.read_session() as session:
        items = await items_of_orders(session, keys)
    return [[OrderItem.from_row(row, currency) for row in items.get(key, [])] for key in keys]
