"""The order aggregates and loyalty balances on the customer row, recomputed from their sources.

Orders that count are those not cancelled. The last order's status and punctuality are those of
the latest counted order. The balance is the sum of the ledger; lifetime earned is the sum of its
EARN entries only.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.enums import LedgerKind, OrderStatus, Punctuality
from models.core.tenancy import organization_wide
from models.customers.table import Customer, CustomerStore
from models.loyalty.ledger import LoyaltyLedgerEntry
from models.orders.table import Order


@dataclass(frozen=True, slots=True)
class Aggregates:
    order_count: int = 0
    total_spent: int = 0
    average_spend: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    last_order_status: OrderStatus | None = None
    last_order_punctuality: Punctuality | None = None
    points_balance: int = 0
    points_earned: int = 0


def average(total: int, count: int) -> int:
    """Average in minor units, rounded half up; 0 when there is nothing to divide."""
    return (2 * total + count) // (2 * count) if count else 0


_COUNTED = Order.status != OrderStatus.CANCELLED


async def compute_aggregates(
    session: AsyncSession, customer_ids: Sequence[int]
) -> dict[int, Aggregates]:
    """What the aggregates of these customers should be, read from orders and the ledger."""
    ids = list(customer_ids)
    totals = await session.execute(
        select(Order.customer_id, func.count(), func.sum(Order.total),
               func.min(Order.placed_at), func.max(Order.placed_at))
        .where(Order.customer_id.in_(ids), _COUNTED)
        .group_by(Order.customer_id)
    )
    ranked = (
        select(Order.customer_id, Order.status, Order.punctuality,
               func.row_number().over(partition_by=Order.customer_id,
                                      order_by=(Order.placed_at.desc(), Order.id.desc()))
               .label("rn"))
        .where(Order.customer_id.in_(ids), _COUNTED)
        .subquery()
    )
    latest = await session.execute(
        select(ranked.c.customer_id, ranked.c.status, ranked.c.punctuality)
        .where(ranked.c.rn == 1)
    )
    ledger = await session.execute(
        select(LoyaltyLedgerEntry.customer_id,
               func.sum(LoyaltyLedgerEntry.points),
               func.sum(case((LoyaltyLedgerEntry.kind == LedgerKind.EARN,
                              LoyaltyLedgerEntry.points), else_=0)))
        .where(LoyaltyLedgerEntry.customer_id.in_(ids))
        .group_by(LoyaltyLedgerEntry.customer_id)
    )
    order_totals = {row[0]: row[1:] for row in totals}
    last = {row[0]: row[1:] for row in latest}
    points = {row[0]: row[1:] for row in ledger}
    result: dict[int, Aggregates] = {}
    for cid in ids:
        count, spent, first_at, last_at = order_totals.get(cid, (0, 0, None, None))
        status, punctuality = last.get(cid, (None, None))
        balance, earned = points.get(cid, (0, 0))
        result[cid] = Aggregates(
            order_count=int(count), total_spent=int(spent or 0),
            average_spend=average(int(spent or 0), int(count)),
            first_order_at=first_at, last_order_at=last_at,
            last_order_status=status, last_order_punctuality=punctuality,
            points_balance=int(balance or 0), points_earned=int(earned or 0),
        )
    return result


async def recompute_aggregates(session: AsyncSession, customer_ids: Sequence[int]) -> None:
    """Write the aggregates and the stores-ordered-at of these customers from their sources.

    From all of their orders and ledger, whatever the session's store scope: the caller has
    reached these customers already, and their figures must not depend on who acts (nor may
    they hide mid-way, as rewriting `customer_stores` can change what a scope sees).
    """
    ids = list(customer_ids)
    if not ids:
        return
    with organization_wide(session):
        computed = await compute_aggregates(session, ids)
        await session.execute(
            update(Customer),
            [{"id": cid, **_as_columns(agg)} for cid, agg in computed.items()],
        )
        await _recompute_customer_stores(session, ids)


def _as_columns(agg: Aggregates) -> dict[str, object]:
    return {
        "order_count": agg.order_count,
        "total_spent": agg.total_spent,
        "average_spend": agg.average_spend,
        "first_order_at": agg.first_order_at,
        "last_order_at": agg.last_order_at,
        "last_order_status": agg.last_order_status,
        "last_order_punctuality": agg.last_order_punctuality,
        "points_balance": agg.points_balance,
        "points_earned": agg.points_earned,
    }


async def _recompute_customer_stores(session: AsyncSession, ids: list[int]) -> None:
    expected = await _expected_stores(session, ids)
    organization_of = dict((await session.execute(
        select(Customer.id, Customer.organization_id).where(Customer.id.in_(ids)))).all())
    await session.execute(delete(CustomerStore).where(CustomerStore.customer_id.in_(ids)))
    rows = [{"organization_id": organization_of[cid], "customer_id": cid, "store_id": sid,
             "order_count": n, "first_order_at": first_at, "last_order_at": last_at}
            for cid, stores in expected.items() for sid, n, first_at, last_at in stores]
    if rows:
        await session.execute(insert(CustomerStore), rows)


def stored_aggregates(customer: Customer) -> Aggregates:
    return Aggregates(
        order_count=customer.order_count, total_spent=customer.total_spent,
        average_spend=customer.average_spend, first_order_at=customer.first_order_at,
        last_order_at=customer.last_order_at, last_order_status=customer.last_order_status,
        last_order_punctuality=customer.last_order_punctuality,
        points_balance=customer.points_balance, points_earned=customer.points_earned,
    )


@dataclass(frozen=True, slots=True)
class Drift:
    customer_id: int
    organization_id: int
    stored: Aggregates
    expected: Aggregates
    stores_differ: bool

    def fields(self) -> list[str]:
        names = [n for n in Aggregates.__slots__
                 if getattr(self.stored, n) != getattr(self.expected, n)]
        return [*names, "stores"] if self.stores_differ else names


async def find_drift(session: AsyncSession, chunk: int = 1000) -> list[Drift]:
    """Every customer (in the session's scope) whose stored aggregates or stores-ordered-at
    differ from a recompute from orders and the ledger."""
    drift: list[Drift] = []
    last_id = 0
    while True:
        customers = list(await session.scalars(
            select(Customer).where(Customer.id > last_id).order_by(Customer.id).limit(chunk)))
        if not customers:
            return drift
        last_id = customers[-1].id
        ids = [c.id for c in customers]
        expected = await compute_aggregates(session, ids)
        stores_now = await _stored_stores(session, ids)
        stores_expected = await _expected_stores(session, ids)
        for customer in customers:
            stored = stored_aggregates(customer)
            stores_differ = stores_now.get(customer.id) != stores_expected.get(customer.id)
            if stored != expected[customer.id] or stores_differ:
                drift.append(Drift(customer.id, customer.organization_id, stored,
                                   expected[customer.id], stores_differ))


StoreRow = tuple[Any, ...]  # store id, order count, first and last order at


async def _stored_stores(session: AsyncSession, ids: list[int]) -> dict[int, set[StoreRow]]:
    rows = await session.execute(
        select(CustomerStore.customer_id, CustomerStore.store_id, CustomerStore.order_count,
               CustomerStore.first_order_at, CustomerStore.last_order_at)
        .where(CustomerStore.customer_id.in_(ids)))
    return _by_customer(rows)


async def _expected_stores(session: AsyncSession, ids: list[int]) -> dict[int, set[StoreRow]]:
    rows = await session.execute(
        select(Order.customer_id, Order.store_id, func.count(), func.min(Order.placed_at),
               func.max(Order.placed_at))
        .where(Order.customer_id.in_(ids), Order.store_id.is_not(None), _COUNTED)
        .group_by(Order.customer_id, Order.store_id))
    return _by_customer(rows)


def _by_customer(rows: Iterable[Sequence[Any]]) -> dict[int, set[StoreRow]]:
    found: dict[int, set[StoreRow]] = {}
    for row in rows:
        found.setdefault(row[0], set()).add(tuple(row[1:]))
    return found
