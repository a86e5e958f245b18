"""The order domain's mutations: an order from any channel, and its status and delivery
times. Orders are read through `Customer.orders` and `node`."""

import strawberry

from models.access.permissions import Permission
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
