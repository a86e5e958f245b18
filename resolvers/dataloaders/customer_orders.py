"""A page of orders per customer, and their counts, for one filter and cursor."""

from typing import TYPE_CHECKING, Any

from models.order_search import OrderCriteria, count_orders_of_customers, orders_of_customers
from resolvers.orders.types import Order

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = list[Order]


async def load_customer_orders(context: "Context", criteria: OrderCriteria, limit: int,
                               cursor: tuple[Any, ...] | None, keys: list[Key]
                               ) -> list[Result]:
    currency = context.organization.currency
    async with context.read_session() as session:
        rows = await orders_of_customers(session, keys, criteria, limit, cursor)
    return [[Order.from_row(row, currency) for row in rows.get(key, [])] for key in keys]


async def load_order_counts(context: "Context", criteria: OrderCriteria, keys: list[Key]
                            ) -> list[int]:
    async with context.read_session() as session:
        counts = await count_orders_of_customers(session, keys, criteria)
    return [counts.get(key, 0) for key in keys]
