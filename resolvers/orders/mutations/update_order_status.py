"""`updateOrderStatus`: an order's status and delivery times."""

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import orders
from models.core.enums import OrderStatus
from models.orders import status
from models.orders.status import UNSET, StatusChange
from resolvers.context import Info
from resolvers.orders.types import Order
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.input(description="Only what is sent changes; null clears a time. CANCELLED is "
                              "final, and a COMPLETED order can only be cancelled.")
class UpdateOrderStatusInput:
    order_id: strawberry.ID
    status: OrderStatus | None = None
    promised_at: datetime | None = strawberry.UNSET
    delivered_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="For DELIVERY: later than `promisedAt` makes the "
                                              "order DELAYED, otherwise ON_TIME.")

    def to_change(self) -> StatusChange:
        return StatusChange(
            status=self.status,
            promised_at=UNSET if self.promised_at is strawberry.UNSET else self.promised_at,
            delivered_at=UNSET if self.delivered_at is strawberry.UNSET else self.delivered_at)


@strawberry.type
class UpdateOrderStatusPayload:
    order: Order | None
    changed: bool = strawberry.field(default=False,
                                     description="False when the order was already so.")
    user_errors: list[UserError]


async def update_order_status(info: Info, input: UpdateOrderStatusInput
                              ) -> UpdateOrderStatusPayload:
    async def rule(session: AsyncSession) -> tuple[orders.Order, bool]:
        order_id = input_pk(input.order_id, "Order", "orderId")
        return await status.update_order_status(session, info.context.actor, order_id,
                                                input.to_change())

    return await respond(info, UpdateOrderStatusPayload, rule, lambda result: {
        "order": Order.from_row(result[0], info.context.organization.currency),
        "changed": result[1]})
