"""Orders by id."""

from typing import TYPE_CHECKING

from sqlalchemy import select

from models.orders import Order as OrderRow
from resolvers.orders.types import Order

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = Order | None


async def load_orders(context: "Context", keys: list[Key]) -> list[Result]:
    currency = context.organization.currency
    async with context.read_session() as session:
        rows = await session.scalars(select(OrderRow).where(OrderRow.id.in_(keys)))
        by_id = {row.id: Order.from_row(row, currency) for row in rows}
    return [by_id.get(key) for key in keys]
