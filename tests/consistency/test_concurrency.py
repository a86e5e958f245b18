"""Order and points writes racing each other through the real ASGI app: the customer's
aggregates and points stay exact, an external ID is recorded once, and a new guest once.

The 50-request races need real row locks and concurrent writers: they run on PostgreSQL. SQLite
takes one writer at a time, so the races there are short ones (two requests)."""

import asyncio
import base64
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from models.customers.table import Customer
from models.orders.table import Order

from environment import BACKEND
from factories import OrgFixture
from order_writes import ADJUST, RECORD, assert_exact, gid, order_input, pk

needs_postgresql = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="50 concurrent writers need PostgreSQL's row locks; SQLite serialises every write "
           "behind one database lock, so the race this test is about cannot happen there")

N = 50


async def race(gql, inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bodies = await asyncio.gather(*(gql.post(RECORD, {"input": i}) for i in inputs))
    payloads = []
    for body in bodies:
        assert "errors" not in body, body["errors"]
        payload = body["data"]["recordOrder"]
        assert payload["userErrors"] == [], payload["userErrors"]
        payloads.append(payload)
    return payloads


def item(n: int) -> list[dict[str, Any]]:
    return [{"name": f"Dish {n}", "quantity": 1 + n % 3, "unitPrice": f"{3 + n}.{n % 100:02d}"}]


def expected_total(n: int) -> Decimal:
    return (1 + n % 3) * Decimal(f"{3 + n}.{n % 100:02d}")


def points(total: Decimal) -> int:
    return int(total.to_integral_value(rounding=ROUND_FLOOR))


async def count_rows(org: OrgFixture, model: Any, *where: Any) -> int:
    async with org.db.admin_session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(
            model.organization_id == org.id, *where)) or 0)


@needs_postgresql
async def test_fifty_concurrent_orders_of_one_customer_stay_exact(gql, org: OrgFixture) -> None:
    customer = await org.customer(email="busy@example.es")
    # Half of them earn points (and so write the customer row); the pending half write only
    # their order: without the customer's row lock, their recomputes would miss each other.
    payloads = await race(gql, [order_input(
        org, customerId=gid("Customer", customer), customer=None, items=item(n),
        storeId=gid("Store", org.store_ids[n % 3]), externalId=f"RACE-{n}",
        status="COMPLETED" if n % 2 else "PENDING") for n in range(N)])
    assert all(p["created"] for p in payloads)
    assert len({p["order"]["number"] for p in payloads}) == N
    await assert_exact(org, customer)
    async with org.db.admin_session() as session:
        row = await session.get(Customer, customer)
        assert row is not None
    totals = [expected_total(n) for n in range(N)]
    assert row.order_count == N
    assert row.total_spent == int(sum(totals) * 100)
    assert row.points_balance == row.points_earned == sum(
        points(t) for n, t in enumerate(totals) if n % 2)
    assert row.last_activity_at == max(o.placed_at for o in await _orders(org))


@needs_postgresql
async def test_fifty_concurrent_orders_of_a_new_guest_create_one_guest(gql, org: OrgFixture
                                                                       ) -> None:
    payloads = await race(gql, [order_input(
        org, customer={"email": "first.time@example.es", "phone": "+34 600 123 456"},
        items=item(n)) for n in range(N)])
    customers = {p["order"]["customer"]["id"] for p in payloads}
    assert len(customers) == 1
    assert await count_rows(org, Customer) == 1
    customer = pk(customers.pop())
    await assert_exact(org, customer)
    async with org.db.admin_session() as session:
        row = await session.get(Customer, customer)
        assert row is not None
    assert row.order_count == N
    assert row.points_balance == sum(points(expected_total(n)) for n in range(N))


@needs_postgresql
async def test_fifty_concurrent_copies_of_one_order_record_it_once(gql, org: OrgFixture
                                                                   ) -> None:
    payloads = await race(gql, [order_input(org, externalId="UBER-777")] * N)
    assert sum(p["created"] for p in payloads) == 1
    assert len({p["order"]["id"] for p in payloads}) == 1
    assert await count_rows(org, Order) == 1
    assert await count_rows(org, Customer) == 1
    await assert_exact(org, pk(payloads[0]["order"]["customer"]["id"]))


@needs_postgresql
async def test_concurrent_redemptions_never_overdraw(gql, org: OrgFixture) -> None:
    customer = gid("Customer", await org.customer())
    await gql.data(ADJUST, {"input": {"customerId": customer, "points": 100,
                                      "reason": "Start"}})
    bodies = await asyncio.gather(*(gql.post(ADJUST, {"input": {
        "customerId": customer, "points": 30, "reason": "Coffee", "kind": "REDEEM"}})
        for _ in range(10)))
    outcomes = [b["data"]["adjustLoyaltyPoints"]["userErrors"] for b in bodies]
    assert sum(not errors for errors in outcomes) == 3
    assert all(e[0]["code"] == "INSUFFICIENT_POINTS" for e in outcomes if e)
    async with org.db.admin_session() as session:
        row = await session.get(Customer, int(base64.b64decode(customer).split(b":")[1]))
        assert row is not None
    assert row.points_balance == 10
    await assert_exact(org, row.id)


async def test_two_concurrent_copies_of_one_order_record_it_once(gql, org: OrgFixture) -> None:
    payloads = await race(gql, [order_input(org, externalId="JUSTEAT-9")] * 2)
    assert sorted(p["created"] for p in payloads) == [False, True]
    assert payloads[0]["order"]["id"] == payloads[1]["order"]["id"]
    assert await count_rows(org, Order) == 1
    assert await count_rows(org, Customer) == 1
    await assert_exact(org, pk(payloads[0]["order"]["customer"]["id"]))


async def test_two_concurrent_orders_of_a_new_guest_share_the_guest(gql, org: OrgFixture
                                                                    ) -> None:
    payloads = await race(gql, [order_input(org, externalId=f"TWO-{n}") for n in range(2)])
    assert all(p["created"] for p in payloads)
    assert len({p["order"]["customer"]["id"] for p in payloads}) == 1
    assert await count_rows(org, Customer) == 1
    await assert_exact(org, pk(payloads[0]["order"]["customer"]["id"]))


async def _orders(org: OrgFixture) -> list[Order]:
    async with org.db.admin_session() as session:
        return list(await session.scalars(select(Order).where(Order.organization_id == org.id)))
