"""Each customer's loyalty ledger, newest first, by customer id."""

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import select

from models.loyalty.ledger import LoyaltyLedgerEntry as LedgerRow
from resolvers.loyalty.types import LoyaltyLedgerEntry

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = list[LoyaltyLedgerEntry]


async def load_loyalty_ledger(context: "Context", keys: list[Key]) -> list[Result]:
    async with context.read_session() as session:
        rows = await session.scalars(
            select(LedgerRow).where(LedgerRow.customer_id.in_(keys))
            .order_by(LedgerRow.customer_id, LedgerRow.created_at.desc(), LedgerRow.id.desc()))
        by_customer: dict[int, Result] = defaultdict(list)
        for row in rows:
            by_customer[row.customer_id].append(LoyaltyLedgerEntry.from_row(row))
    return [by_customer.get(key, []) for key in keys]
