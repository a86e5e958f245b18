"""Property: whatever sequence of order records, status changes, cancellations, merges and point
adjustments happens, every customer's stored aggregates, balances and stores equal those
recomputed from the orders and the ledger, and no balance is negative."""

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models.core.actors import Actor
from models.core.enums import ActorKind, LedgerKind, OrderChannel, OrderStatus
from models.core.errors import Rejected
from models.core.tenancy import session_info
from models.customers.merge import merge_customers
from models.customers.table import Customer
from models.loyalty.ledger import adjust_points
from models.orders.aggregates import find_drift
from models.orders.recording import ItemFields, OrderFields, record_order
from models.orders.status import StatusChange, update_order_status

from factories import NOW, create_organization

CUSTOMERS = 3
STATUSES = st.sampled_from([OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.COMPLETED,
                            OrderStatus.CANCELLED])
who = st.integers(0, CUSTOMERS - 1)
steps = st.lists(st.one_of(
    st.tuples(st.just("record"), who, st.integers(0, 9999), STATUSES, st.integers(0, 2),
              st.integers(0, 40), st.sampled_from([None, "A", "B"])),
    st.tuples(st.just("status"), st.integers(0, 20), STATUSES),
    st.tuples(st.just("adjust"), who, st.integers(-60, 60),
              st.sampled_from([LedgerKind.ADJUST, LedgerKind.REDEEM])),
    st.tuples(st.just("merge"), who, who),
), min_size=1, max_size=14)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=steps)
async def test_aggregates_always_match_a_recompute(db, plan: list[tuple[Any, ...]]) -> None:
    org = await create_organization(db)
    actor = Actor(organization_id=org.id, kind=ActorKind.SYSTEM)
    customers = [await org.customer() for _ in range(CUSTOMERS)]
    orders: list[int] = []
    for step in plan:
        async with db.sessions(info=session_info(org.id)) as session:
            try:
                await apply(session, actor, step, customers, orders, org.store_ids)
                await session.commit()
            except Rejected:
                await session.rollback()
        async with db.sessions(info=session_info(org.id)) as session:
            assert await find_drift(session) == [], step
            balances = await session.scalars(select(Customer.points_balance))
            assert all(b >= 0 for b in balances), step


async def apply(session: Any, actor: Actor, step: tuple[Any, ...], customers: list[int],
                orders: list[int], stores: list[int]) -> None:
    kind = step[0]
    if kind == "record":
        _, c, cents, status, store, hours, external = step
        order, _ = await record_order(session, actor, OrderFields(
            channel=OrderChannel.POS, customer_id=customers[c], store_id=stores[store],
            status=status, external_id=external,
            placed_at=NOW.replace(hour=hours % 24, minute=hours),
            items=[ItemFields(name="Menu", quantity=1 + cents % 3,
                              unit_price=Decimal(cents) / 100)]))
        orders.append(order.id)
    elif kind == "status" and orders:
        _, n, status = step
        await update_order_status(session, actor, orders[n % len(orders)],
                                  StatusChange(status=status))
    elif kind == "adjust":
        _, c, points, ledger_kind = step
        await adjust_points(session, actor, customers[c], abs(points)
                            if ledger_kind is LedgerKind.REDEEM else points, "property test",
                            ledger_kind)
    elif kind == "merge":
        _, target, source = step
        # The IDs of merged customers go on working: they lead to where they were merged.
        await merge_customers(session, actor, customers[target], [customers[source]])
