"""The loyalty domain's mutation: points added, corrected or redeemed by hand. Balances and
ledgers are read through `Customer.loyalty` and `Customer.loyaltyLedger`."""

import strawberry

from models.access.permissions import Permission
from resolvers.loyalty.mutations.adjust_loyalty_points import (
    AdjustLoyaltyPointsPayload,
    adjust_loyalty_points,
)
from resolvers.permissions import requires


@strawberry.type
class LoyaltyMutations:
    adjust_loyalty_points: AdjustLoyaltyPointsPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE),
        resolver=adjust_loyalty_points,
        description="Add, correct or redeem points with a reason; the balance never goes "
                    "below zero.")
