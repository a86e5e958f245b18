"""Each customer's addresses, in their saved order, by customer id."""

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import select

from models.customers.table import CustomerAddress
from resolvers.customers.types import Address

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = list[Address]


async def load_addresses(context: "Context", keys: list[Key]) -> list[Result]:
    async with context.read_session() as session:
        rows = await session.scalars(
            select(CustomerAddress).where(CustomerAddress.customer_id.in_(keys))
            .order_by(CustomerAddress.customer_id, CustomerAddress.position, CustomerAddress.id)
        )
        by_customer: dict[int, Result] = defaultdict(list)
        for row in rows:
            by_customer[row.customer_id].append(Address.from_row(row))
    return [by_customer.get(key, []) for key in keys]
