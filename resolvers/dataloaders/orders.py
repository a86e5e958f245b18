"""Orders by id."""

from typing import TYPE_CHECKING

from models.orders.table import Order as OrderRow
from resolvers.dataloaders.by_id import load_by_id
from resolvers.orders.types import Order

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = Order | None


async def load_orders(context: "Context", keys: list[Key]) -> list[Result]:
    currency = context.organization.currency
    return await load_by_id(context, OrderRow, lambda row: Order.from_row(row, currency), keys)
