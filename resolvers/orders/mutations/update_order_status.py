"""`updateOrderStatus`: an order's status and delivery times."""

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.enums import OrderStatus
from models.orders.status import UNSET, StatusChange
from models.orders.status import update_order_status as update_order_status_rule
from models.orders.table import Order as OrderRow
from resolvers.context import Info
from resolvers.orders.types import Order
from resolvers.user_errors import UserError, input_pk, run_rule


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
    changed: bool = strawberry.field(description="False when the order was already so.")
    user_errors: list[UserError]


async def update_order_status(info: Info, input: UpdateOrderStatusInput
                              ) -> UpdateOrderStatusPayload:
    async def rule(session: AsyncSession) -> tuple[OrderRow, bool]:
        order_id = input_pk(input.order_id, "Order", "orderId")
        return await update_order_status_rule(session, info.context.actor, order_id,
                                              input.to_change())

    result, errors = await run_rule(info, rule)
    if result is None:
        return UpdateOrderStatusPayload(order=None, changed=False, user_errors=errors)
    row, changed = result
    return UpdateOrderStatusPayload(
        order=Order.from_row(row, info.context.organization.currency), changed=changed,
        user_errors=errors)
