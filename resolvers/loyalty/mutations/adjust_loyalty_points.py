"""`adjustLoyaltyPoints`: staff or an integrator add, correct or redeem points, with a reason."""

from enum import Enum

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers, loyalty
from models.core.enums import LedgerKind
from models.loyalty import ledger
from resolvers.context import Info
from resolvers.customers.types import Customer
from resolvers.loyalty.types import LoyaltyLedgerEntry
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.enum(description="ADJUST: a correction, either way; REDEEM: points spent.")
class LoyaltyAdjustmentKind(Enum):
    ADJUST = "ADJUST"
    REDEEM = "REDEEM"


@strawberry.input
class AdjustLoyaltyPointsInput:
    customer_id: strawberry.ID
    points: int = strawberry.field(
        description="ADJUST: signed (negative takes off); REDEEM: how many to take off (> 0).")
    reason: str = strawberry.field(description="Required; shown in the loyalty ledger.")
    kind: LoyaltyAdjustmentKind = LoyaltyAdjustmentKind.ADJUST


@strawberry.type
class AdjustLoyaltyPointsPayload:
    customer: Customer | None
    entry: LoyaltyLedgerEntry | None
    user_errors: list[UserError]


async def adjust_loyalty_points(info: Info, input: AdjustLoyaltyPointsInput
                                ) -> AdjustLoyaltyPointsPayload:
    async def rule(session: AsyncSession
                   ) -> tuple[customers.Customer, loyalty.LoyaltyLedgerEntry]:
        customer_id = input_pk(input.customer_id, "Customer", "customerId")
        return await ledger.adjust_points(session, info.context.actor, customer_id, input.points,
                                          input.reason, LedgerKind(input.kind.value))

    return await respond(info, AdjustLoyaltyPointsPayload, rule, lambda result: {
        "customer": Customer.from_row(result[0], info.context.organization.currency),
        "entry": LoyaltyLedgerEntry.from_row(result[1])})
