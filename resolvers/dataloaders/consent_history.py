"""Each customer's consent decisions, oldest first, by customer id."""

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import select

from models.customers.consent import ConsentEvent as ConsentEventRow
from resolvers.customers.types import ConsentEvent

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = list[ConsentEvent]


async def load_consent_history(context: "Context", keys: list[Key]) -> list[Result]:
    async with context.read_session() as session:
        rows = await session.scalars(
            select(ConsentEventRow).where(ConsentEventRow.customer_id.in_(keys))
            .order_by(ConsentEventRow.customer_id, ConsentEventRow.occurred_at,
                      ConsentEventRow.id)
        )
        by_customer: dict[int, Result] = defaultdict(list)
        for row in rows:
            by_customer[row.customer_id].append(ConsentEvent(
                subscribed=row.subscribed, source=row.source, occurred_at=row.occurred_at,
                actor_kind=row.actor_kind))
    return [by_customer.get(key, []) for key in keys]
