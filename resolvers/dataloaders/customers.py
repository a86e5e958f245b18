"""Customers by id; the id of a customer merged away loads the customer it was merged into."""

from typing import TYPE_CHECKING

from sqlalchemy import select

from models.customers.merge import resolve_redirects
from models.customers.table import Customer as CustomerRow
from resolvers.customers.types import Customer

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = Customer | None


async def load_customers(context: "Context", keys: list[Key]) -> list[Result]:
    currency = context.organization.currency
    async with context.read_session() as session:
        rows = {row.id: row for row in await session.scalars(
            select(CustomerRow).where(CustomerRow.id.in_(keys)))}
        missing = [key for key in keys if key not in rows]
        redirects = await resolve_redirects(session, missing) if missing else {}
        if redirects:
            rows.update((row.id, row) for row in await session.scalars(
                select(CustomerRow).where(CustomerRow.id.in_(set(redirects.values())))))
    types = {pk: Customer.from_row(row, currency) for pk, row in rows.items()}
    return [types.get(redirects.get(key, key)) for key in keys]
