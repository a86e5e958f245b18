"""Changing an order's status and delivery times, and what that changes on its customer.

A cancelled order is final. A completed order can only be cancelled (a refund). Completing an
order earns its points if it has not earned yet; cancelling it takes it out of the customer's
aggregates and reverses its points (see `models.loyalty.ledger.reverse_for_order` for the floor at
zero). Delivery times set the punctuality of a DELIVERY order.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.actors import Actor
from models.core.changes import changed
from models.core.enums import OrderStatus
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event
from models.core.store_scope import store_error
from models.core.tenancy import organization_wide
from models.customers.profile import organization_of
from models.customers.table import Customer, locked_customer
from models.loyalty.ledger import earn_for_order, reverse_for_order
from models.orders.aggregates import recompute_aggregates
from models.orders.recording import aware, punctuality
from models.orders.table import Order

UNSET: Any = object()
_NOT_FOUND = error("orderId", ErrorCode.NOT_FOUND, "No such order.")


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What was sent; `UNSET` for a time leaves it as it is, None clears it."""

    status: OrderStatus | None = None
    promised_at: datetime | None = UNSET
    delivered_at: datetime | None = UNSET


def transition_error(current: OrderStatus, wanted: OrderStatus) -> str | None:
    """Why the order cannot go from `current` to `wanted`; None when it can."""
    if wanted is current:
        return None
    if current is OrderStatus.CANCELLED:
        return "A cancelled order is final."
    if current is OrderStatus.COMPLETED and wanted is not OrderStatus.CANCELLED:
        return "A completed order can only be cancelled."
    return None


async def update_order_status(session: AsyncSession, actor: Actor, order_id: int,
                              change: StatusChange) -> tuple[Order, bool]:
    """Apply a status change and delivery times; returns the order and whether it changed.

    An order the caller cannot see is NOT_FOUND. A MANAGER changes only orders placed at their
    stores (OUT_OF_SCOPE for another store's order of a customer they share); what the change
    then does to the customer is kept exact from all of the customer's rows.
    """
    if actor.store_scope is None:
        return await _update(session, actor, order_id, change)
    seen = (await session.execute(
        select(Order.store_id).where(Order.id == order_id))).first()  # through the scope
    if seen is None:
        raise Rejected([_NOT_FOUND])
    if store_error(actor, seen.store_id, "orderId") is not None:
        raise Rejected([error("orderId", ErrorCode.OUT_OF_SCOPE,
                              "This order was placed at a store that is not one of yours.")])
    with organization_wide(session):
        return await _update(session, actor, order_id, change)


async def _update(session: AsyncSession, actor: Actor, order_id: int, change: StatusChange
                  ) -> tuple[Order, bool]:
    order, customer = await _locked_order(session, order_id)
    errors: list[UserError] = []
    status = change.status if change.status is not None else order.status
    times_sent = change.promised_at is not UNSET or change.delivered_at is not UNSET
    if order.status is OrderStatus.CANCELLED and (status is not order.status or times_sent):
        errors.append(error("status" if change.status is not None else "orderId",
                            ErrorCode.INVALID_TRANSITION, "A cancelled order is final."))
    elif (reason := transition_error(order.status, status)) is not None:
        errors.append(error("status", ErrorCode.INVALID_TRANSITION, reason))
    promised_at = (order.promised_at if change.promised_at is UNSET
                   else aware(change.promised_at, "promisedAt", errors))
    delivered_at = (order.delivered_at if change.delivered_at is UNSET
                    else aware(change.delivered_at, "deliveredAt", errors))
    if delivered_at is not None and delivered_at < order.placed_at:
        errors.append(error("deliveredAt", ErrorCode.INVALID,
                            "Delivered before the order was placed."))
    if errors:
        raise Rejected(errors)

    previous = order.status
    times_changed = (promised_at, delivered_at) != (order.promised_at, order.delivered_at)
    if status is previous and not times_changed:
        return order, False
    if times_changed:
        times = changed({"promised_at": (order.promised_at, promised_at),
                         "delivered_at": (order.delivered_at, delivered_at)})
        order.promised_at, order.delivered_at = promised_at, delivered_at
        order.punctuality = punctuality(order.fulfilment_type, promised_at, delivered_at)
        record_event(session, actor, EventKind.ORDER_DELIVERY_TIMES_CHANGED, order.customer_id, {
            "order_id": order.id, "number": order.number, "promised_at": _iso(promised_at),
            "delivered_at": _iso(delivered_at),
            "punctuality": order.punctuality.value if order.punctuality else None,
            "changed": times})
    if status is not previous:
        order.status = status
        record_event(session, actor, EventKind.ORDER_STATUS_CHANGED, order.customer_id,
                     {"order_id": order.id, "number": order.number, "from": previous.value,
                      "to": status.value})
    await session.flush()
    if customer is not None:
        if status is OrderStatus.CANCELLED and previous is not status:
            await reverse_for_order(session, actor, customer, order)
        elif status is OrderStatus.COMPLETED and previous is not status:
            org = await organization_of(session, actor)
            await earn_for_order(session, actor, customer, order, org.loyalty_earn_rate,
                                 org.currency)
        await session.flush()
        await recompute_aggregates(session, [customer.id])
    return order, True


async def _locked_order(session: AsyncSession, order_id: int) -> tuple[Order, Customer | None]:
    """The order and its customer, both locked: the customer first, as every order write does,
    so that two writes never wait on each other in opposite order."""
    for _ in range(3):  # a merge may move the order to another customer meanwhile
        customer_id = await session.scalar(select(Order.customer_id).where(Order.id == order_id))
        customer = (await locked_customer(session, customer_id, "orderId")
                    if customer_id is not None else None)
        order = await session.scalar(
            select(Order).where(Order.id == order_id).with_for_update()
            .execution_options(populate_existing=True))
        if order is None:
            raise Rejected([_NOT_FOUND])
        if order.customer_id == customer_id:
            return order, customer
    raise RuntimeError(f"order {order_id} keeps moving between customers")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
