"""The order and loyalty mutations, one module each."""

import strawberry

from models.access.permissions import Permission
from resolvers.orders.mutations.adjust_loyalty_points import (
    AdjustLoyaltyPointsPayload,
    adjust_loyalty_points,
)
from resolvers.orders.mutations.record_order import RecordOrderPayload, record_order
from resolvers.orders.mutations.update_order_status import (
    UpdateOrderStatusPayload,
    update_order_status,
)
from resolvers.permissions import requires


@strawberry.type
class OrderMutations:
    record_order: RecordOrderPayload = strawberry.mutation(
        extensions=requires(Permission.ORDERS_WRITE),
        resolver=record_order,
        description="An order from any channel: finds or creates its customer, keeps the "
                    "customer's aggregates and points exact; idempotent by `externalId`.")
    update_order_status: UpdateOrderStatusPayload = strawberry.mutation(
        extensions=requires(Permission.ORDERS_WRITE),
        resolver=update_order_status,
        description="Status and delivery times; a cancellation leaves the aggregates and takes "
                    "back the order's points.")
    adjust_loyalty_points: AdjustLoyaltyPointsPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE),
        resolver=adjust_loyalty_points,
        description="Add, correct or redeem points with a reason; the balance never goes "
                    "below zero.")
