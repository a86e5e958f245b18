"""Loyalty membership and its ledger, and the rules that write to it.

The balance and lifetime earned on the customer row follow the ledger, in the same transaction as
each entry: the balance is the sum of all entries, lifetime earned the sum of EARN entries only.
"""

from collections.abc import Collection
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import NamedTuple

from sqlalchemy import BigInteger, ForeignKey, Index, String, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.actors import Actor
from models.core.base import Base, BigId, TenantScoped, by_customer, enum_column, utcnow
from models.core.enums import LedgerKind
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event
from models.core.money import to_decimal
from models.customers.table import Customer, locked_customer
from models.orders.table import Order


class LoyaltyAccount(TenantScoped, Base):
    __tablename__ = "loyalty_accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), unique=True)
    provider: Mapped[str] = mapped_column(String(64))
    membership_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoyaltyLedgerEntry(TenantScoped, Base):
    __tablename__ = "loyalty_ledger"
    __table_args__ = (
        Index("ix_loyalty_ledger_customer", "customer_id", "created_at"),
        Index("ix_loyalty_ledger_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind))
    points: Mapped[int] = mapped_column(BigInteger)  # signed: earn > 0, redeem and expire < 0
    reason: Mapped[str | None] = mapped_column(String(200))
    order_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


PROVIDER = "customerhub"
MAX_REASON = 200


class Membership(NamedTuple):
    """A customer's loyalty membership as the profile shows it."""

    provider: str
    membership_id: str | None


def points_for(total: int, currency: str, earn_rate: Decimal) -> int:
    """Points a completed order earns: floor(total in major units x the earn rate)."""
    points = (to_decimal(total, currency) * earn_rate).to_integral_value(rounding=ROUND_FLOOR)
    return max(0, int(points))


async def ledger_totals(session: AsyncSession, customer_id: int) -> tuple[int, int]:
    """(balance, lifetime earned) of a customer, read from the ledger."""
    row = (await session.execute(
        select(func.coalesce(func.sum(LoyaltyLedgerEntry.points), 0),
               func.coalesce(func.sum(case((LoyaltyLedgerEntry.kind == LedgerKind.EARN,
                                            LoyaltyLedgerEntry.points), else_=0)), 0))
        .where(LoyaltyLedgerEntry.customer_id == customer_id)
    )).one()
    return int(row[0]), int(row[1])


async def post_entry(session: AsyncSession, actor: Actor, customer: Customer, kind: LedgerKind,
                     points: int, reason: str | None, order_id: int | None = None
                     ) -> LoyaltyLedgerEntry:
    """Append a ledger entry and bring the customer's balance and lifetime earned up to date.

    The caller holds the customer's row lock (`locked_customer`) and has checked that the
    balance stays at zero or above. A customer without a membership gets one (provider
    `customerhub`) with the first entry that adds points.
    """
    balance, earned = await ledger_totals(session, customer.id)
    if points > 0 and await session.scalar(select(LoyaltyAccount.id).where(
            LoyaltyAccount.customer_id == customer.id)) is None:
        session.add(LoyaltyAccount(organization_id=customer.organization_id,
                                   customer_id=customer.id, provider=PROVIDER))
    entry = LoyaltyLedgerEntry(organization_id=customer.organization_id,
                               customer_id=customer.id, kind=kind, points=points,
                               reason=reason, order_id=order_id, created_at=utcnow())
    session.add(entry)
    customer.points_balance = balance + points
    customer.points_earned = earned + (points if kind is LedgerKind.EARN else 0)
    record_event(session, actor, EventKind.LOYALTY_POINTS_CHANGED, customer.id,
                 {"kind": kind.value, "points": points, "reason": reason, "order_id": order_id,
                  "balance": customer.points_balance})
    await session.flush()
    return entry


async def earn_for_order(session: AsyncSession, actor: Actor, customer: Customer, order: Order,
                         earn_rate: Decimal, currency: str) -> LoyaltyLedgerEntry | None:
    """The EARN entry of a completed order, once: nothing when it already earned or earns 0."""
    if await _earned_entries(session, order.id) is not None:
        return None
    points = points_for(order.total, currency, earn_rate)
    if points == 0:
        return None
    return await post_entry(session, actor, customer, LedgerKind.EARN, points,
                            f"Order {order.number}", order.id)


async def reverse_for_order(session: AsyncSession, actor: Actor, customer: Customer,
                            order: Order) -> LoyaltyLedgerEntry | None:
    """Take back what a cancelled order earned, as a negative EARN entry linked to it.

    The balance never goes below zero: when the customer has already spent some of those
    points, only what is left of the balance is taken back, and the merchant absorbs the rest
    (points already redeemed are not clawed back). Lifetime earned drops by what was taken
    back, since a negative EARN entry counts against it.
    """
    net = await _earned_entries(session, order.id)
    if not net:
        return None
    balance, _ = await ledger_totals(session, customer.id)
    taken = min(net, max(balance, 0))
    if taken <= 0:
        return None
    return await post_entry(session, actor, customer, LedgerKind.EARN, -taken,
                            f"Order {order.number} cancelled", order.id)


async def _earned_entries(session: AsyncSession, order_id: int) -> int | None:
    """Net points the order's EARN entries add up to; None when it has none."""
    total = await session.scalar(
        select(func.sum(LoyaltyLedgerEntry.points))
        .where(LoyaltyLedgerEntry.order_id == order_id,
               LoyaltyLedgerEntry.kind == LedgerKind.EARN))
    return None if total is None else int(total)


async def adjust_points(session: AsyncSession, actor: Actor, customer_id: int, points: int,
                        reason: str | None, kind: LedgerKind = LedgerKind.ADJUST
                        ) -> tuple[Customer, LoyaltyLedgerEntry]:
    """Staff or an integrator add or take off points, with a reason.

    ADJUST takes signed points (a correction either way); REDEEM takes a positive number of
    points off. The balance never goes below zero (`INSUFFICIENT_POINTS`). Neither counts as
    earned: lifetime earned is the sum of EARN entries only.
    """
    if kind not in (LedgerKind.ADJUST, LedgerKind.REDEEM):
        raise ValueError(f"adjust_points takes ADJUST or REDEEM, not {kind.value}")
    customer = await locked_customer(session, customer_id)
    errors: list[UserError] = []
    text = " ".join((reason or "").split())
    if not text:
        errors.append(error("reason", ErrorCode.REQUIRED, "A reason is required."))
    elif len(text) > MAX_REASON:
        errors.append(error("reason", ErrorCode.INVALID,
                            f"The reason is longer than {MAX_REASON} characters."))
    if points == 0:
        errors.append(error("points", ErrorCode.INVALID, "Points must not be zero."))
    elif kind is LedgerKind.REDEEM and points < 0:
        errors.append(error("points", ErrorCode.INVALID,
                            "Points to redeem are a positive number; they are taken off."))
    if errors:
        raise Rejected(errors)
    delta = -points if kind is LedgerKind.REDEEM else points
    balance, _ = await ledger_totals(session, customer.id)
    if balance + delta < 0:
        raise Rejected([error("points", ErrorCode.INSUFFICIENT_POINTS,
                              f"The balance is {balance} points; it cannot go below zero.")])
    entry = await post_entry(session, actor, customer, kind, delta, text)
    return customer, entry


async def memberships_of_customers(session: AsyncSession, customer_ids: Collection[int]
                                   ) -> dict[int, Membership]:
    """The loyalty memberships of these customers (customers without one are left out). Only
    the columns shown, not the rows: the balance is on the customer row."""
    rows = await session.execute(
        select(LoyaltyAccount.customer_id, LoyaltyAccount.provider, LoyaltyAccount.membership_id)
        .where(LoyaltyAccount.customer_id.in_(customer_ids)))
    return {customer_id: Membership(provider, membership_id)
            for customer_id, provider, membership_id in rows}


async def ledger_of_customers(session: AsyncSession, customer_ids: Collection[int]
                              ) -> dict[int, list[LoyaltyLedgerEntry]]:
    """Each customer's ledger entries, newest first; one statement."""
    rows = await session.scalars(
        select(LoyaltyLedgerEntry).where(LoyaltyLedgerEntry.customer_id.in_(customer_ids))
        .order_by(LoyaltyLedgerEntry.customer_id, LoyaltyLedgerEntry.created_at.desc(),
                  LoyaltyLedgerEntry.id.desc()))
    return by_customer(rows)
