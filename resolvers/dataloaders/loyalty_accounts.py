"""Loyalty memberships by customer, as `Loyalty` with the balance the customer row holds.

The key carries the customer's points (read with the customer, possibly on the primary), so the
answer never mixes a replica's balance into a just-written customer.
"""

from typing import TYPE_CHECKING

from sqlalchemy import select

from models.loyalty.ledger import LoyaltyAccount
from resolvers.customers.types import Loyalty

if TYPE_CHECKING:
    from resolvers.context import Context

Key = tuple[int, int, int]  # customer id, points balance, points earned
Result = Loyalty | None


async def load_loyalty(context: "Context", keys: list[Key]) -> list[Result]:
    async with context.read_session() as session:
        rows = await session.execute(
            select(LoyaltyAccount.customer_id, LoyaltyAccount.provider,
                   LoyaltyAccount.membership_id)
            .where(LoyaltyAccount.customer_id.in_({key[0] for key in keys})))
        accounts = {row.customer_id: row for row in rows}
    results: list[Result] = []
    for customer_id, balance, earned in keys:
        account = accounts.get(customer_id)
        results.append(None if account is None else Loyalty(
            provider=account.provider, membership_id=account.membership_id,
            points_balance=balance, points_earned=earned))
    return results
