"""Loyalty memberships by customer id."""

from typing import TYPE_CHECKING

from sqlalchemy import select

from models.loyalty import LoyaltyAccount

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = LoyaltyAccount | None


async def load_loyalty_accounts(context: "Context", keys: list[Key]) -> list[Result]:
    async with context.read_session() as session:
        rows = await session.scalars(
            select(LoyaltyAccount).where(LoyaltyAccount.customer_id.in_(keys)))
        by_customer = {row.customer_id: row for row in rows}
    return [by_customer.get(key) for key in keys]
