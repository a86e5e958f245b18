"""Orders and points written over GraphQL in tests, and what is checked after a write:
`recordOrder` with a typical input, `adjustLoyaltyPoints`, global IDs, a refusal that must
change nothing, the events written, and the customer's aggregates against a recompute
(test_record_order, test_order_status, the loyalty, activity and concurrency tests share them)."""

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from models.core.events import DomainEvent
from models.customers.table import Customer
from models.orders.aggregates import compute_aggregates, stored_aggregates
from models.organizations.table import Organization

from factories import OrgFixture
from snapshots import organization_state

RECORD = """mutation($input: RecordOrderInput!) { recordOrder(input: $input) {
  created
  order { id number externalId channel status placedAt total { amount currency }
          fulfilment { type promisedAt deliveredAt punctuality } store { code }
          items { name sku quantity unitPrice { amount } total { amount } }
          customer { id type source email phone { e164 } firstName lastName externalId
                     lastActivityAt stores { code }
                     orderSummary { totalOrders totalSpent { amount } lastOrderStatus
                                    lastOrderPunctuality }
                     loyalty { provider pointsBalance pointsEarned } } }
  userErrors { field code message } } }"""

ADJUST = """mutation($input: AdjustLoyaltyPointsInput!) { adjustLoyaltyPoints(input: $input) {
  customer { id loyalty { provider pointsBalance pointsEarned } }
  entry { kind points reason order { number } createdAt }
  userErrors { field code message } } }"""
NOW = datetime.now(UTC).replace(microsecond=0)


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def at(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).isoformat().replace("+00:00", "Z")


def order_input(org: OrgFixture, **overrides: Any) -> dict[str, Any]:
    return {"channel": "POS", "storeId": gid("Store", org.store_ids[0]), "placedAt": at(2),
            "customer": {"email": "Lucia@Example.es", "phone": "612 00 11 22",
                         "firstName": "Lucía", "lastName": "Pérez"},
            "items": [{"name": "Menú del día", "sku": "MENU", "quantity": 2,
                       "unitPrice": "11.50"},
                      {"name": "Café", "quantity": 1, "unitPrice": "1.45"}],
            **overrides}


async def record(gql, input: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.data(RECORD, {"input": input}))["recordOrder"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def refused(gql, org: OrgFixture, mutation: str, input: dict[str, Any], name: str
                  ) -> list[dict[str, Any]]:
    """Run a mutation that must be refused; check it changed nothing; return its errors."""
    before = await organization_state(org.db, org.id)
    payload = (await gql.data(mutation, {"input": input}))[name]
    after = await organization_state(org.db, org.id)
    assert payload["userErrors"], payload
    assert all(payload.get(k) is None for k in ("order", "customer", "entry")), payload
    assert after == before
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


def codes(errors: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(".".join(e["field"][1:]), e["code"]) for e in errors]


async def event_kinds(org: OrgFixture) -> list[str]:
    async with org.db.admin_session() as session:
        return list(await session.scalars(select(DomainEvent.kind).where(
            DomainEvent.organization_id == org.id).order_by(DomainEvent.id)))


async def customer_count(org: OrgFixture) -> int:
    async with org.db.admin_session() as session:
        return int(await session.scalar(select(func.count()).select_from(Customer).where(
            Customer.organization_id == org.id)) or 0)


async def assert_exact(org: OrgFixture, customer_id: int) -> None:
    """The stored aggregates and points equal a recompute from orders and the ledger."""
    async with org.db.admin_session() as session:
        customer = await session.get(Customer, customer_id)
        assert customer is not None
        expected = (await compute_aggregates(session, [customer_id]))[customer_id]
        assert stored_aggregates(customer) == expected


async def set_organization(org: OrgFixture, **settings: Any) -> None:
    async with org.db.admin_session() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        for name, value in settings.items():
            setattr(row, name, value)
        await session.commit()


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])
