"""Customers by id."""

from typing import TYPE_CHECKING

from sqlalchemy import select

from models.customers import Customer as CustomerRow
from resolvers.customers.types import Customer

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = Customer | None


async def load_customers(context: "Context", keys: list[Key]) -> list[Result]:
    currency = context.organization.currency
    async with context.read_session() as session:
        rows = await session.scalars(select(CustomerRow).where(CustomerRow.id.in_(keys)))
        by_id = {row.id: Customer.from_row(row, currency) for row in rows}
    return [by_id.get(key) for key in keys]
