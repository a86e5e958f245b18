"""A customer's loyalty ledger entries, as `Customer.loyaltyLedger` lists them."""

from datetime import datetime
from typing import Self

import strawberry

from models import loyalty
from models.core.enums import LedgerKind
from resolvers.context import Info
from resolvers.orders.types import Order


@strawberry.type(description="One movement of points; the balance is the sum of them all.")
class LoyaltyLedgerEntry:
    kind: LedgerKind
    points: int = strawberry.field(description="Signed: negative entries take points off.")
    reason: str | None
    created_at: datetime
    order_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: loyalty.LoyaltyLedgerEntry) -> Self:
        return cls(kind=row.kind, points=row.points, reason=row.reason,
                   created_at=row.created_at, order_pk=row.order_id)

    @strawberry.field(description="The order the points came from or went to, if any.")
    async def order(self, info: Info) -> Order | None:
        if self.order_pk is None:
            return None
        return await info.context.loaders.order.load(self.order_pk)
