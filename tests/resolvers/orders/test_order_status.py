"""updateOrderStatus: transitions, delivery times and punctuality, and what completing or
cancelling an order changes on its customer (aggregates, stores, points)."""

from typing import Any

import pytest

from factories import OrgFixture, create_organization
from order_writes import (
    assert_exact,
    at,
    codes,
    event_kinds,
    gid,
    order_input,
    pk,
    record,
    refused,
)
from snapshots import organization_state

UPDATE = """mutation($input: UpdateOrderStatusInput!) { updateOrderStatus(input: $input) {
  changed
  order { id status fulfilment { type promisedAt deliveredAt punctuality }
          customer { id stores { code }
                     orderSummary { totalOrders totalSpent { amount } lastOrderStatus
                                    lastOrderPunctuality }
                     loyalty { pointsBalance pointsEarned }
                     loyaltyLedger { kind points reason order { number } } } }
  userErrors { field code message } } }"""
REDEEM = """mutation($input: AdjustLoyaltyPointsInput!) { adjustLoyaltyPoints(input: $input) {
  customer { loyalty { pointsBalance } } userErrors { field code } } }"""


async def update(gql, input: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.data(UPDATE, {"input": input}))["updateOrderStatus"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def recorded(gql, org: OrgFixture, **overrides: Any) -> dict[str, Any]:
    order: dict[str, Any] = (await record(gql, order_input(org, **overrides)))["order"]
    return order


async def test_completing_a_pending_order_earns_its_points_once(gql, org: OrgFixture) -> None:
    order = await recorded(gql, org, status="PENDING")
    assert order["customer"]["loyalty"] is None
    preparing = await update(gql, {"orderId": order["id"], "status": "PREPARING"})
    assert preparing["changed"] is True
    assert preparing["order"]["customer"]["orderSummary"]["lastOrderStatus"] == "PREPARING"
    done = await update(gql, {"orderId": order["id"], "status": "COMPLETED"})
    customer = done["order"]["customer"]
    assert customer["loyalty"] == {"pointsBalance": 24, "pointsEarned": 24}
    assert customer["loyaltyLedger"] == [
        {"kind": "EARN", "points": 24, "reason": f"Order {order['number']}",
         "order": {"number": order["number"]}}]
    assert customer["orderSummary"]["lastOrderStatus"] == "COMPLETED"
    again = await update(gql, {"orderId": order["id"], "status": "COMPLETED"})
    assert again["changed"] is False
    assert again["order"]["customer"]["loyalty"]["pointsBalance"] == 24
    assert (await event_kinds(org))[-3:] == ["order.status_changed", "order.status_changed",
                                             "loyalty.points_changed"]
    await assert_exact(org, pk(customer["id"]))


async def test_cancelling_takes_the_order_out_and_its_points_back(gql, org: OrgFixture) -> None:
    kept = await recorded(gql, org, storeId=gid("Store", org.store_ids[1]), placedAt=at(48))
    order = await recorded(gql, org, placedAt=at(1))
    assert order["customer"]["orderSummary"]["totalOrders"] == 2
    assert order["customer"]["loyalty"]["pointsBalance"] == 48
    payload = await update(gql, {"orderId": order["id"], "status": "CANCELLED"})
    customer = payload["order"]["customer"]
    assert payload["order"]["status"] == "CANCELLED"
    assert customer["orderSummary"] == {"totalOrders": 1, "totalSpent": {"amount": "24.45"},
                                        "lastOrderStatus": "COMPLETED",
                                        "lastOrderPunctuality": None}
    assert customer["stores"] == [{"code": "BCN"}]
    assert customer["loyalty"] == {"pointsBalance": 24, "pointsEarned": 24}
    assert customer["loyaltyLedger"][0] == {
        "kind": "EARN", "points": -24, "reason": f"Order {order['number']} cancelled",
        "order": {"number": order["number"]}}
    assert kept["customer"]["id"] == customer["id"]
    await assert_exact(org, pk(customer["id"]))


async def test_a_reversal_never_takes_the_balance_below_zero(gql, org: OrgFixture) -> None:
    order = await recorded(gql, org)  # earns 24
    spent = (await gql.data(REDEEM, {"input": {
        "customerId": order["customer"]["id"], "points": 20, "reason": "Free coffee",
        "kind": "REDEEM"}}))["adjustLoyaltyPoints"]
    assert spent["customer"]["loyalty"]["pointsBalance"] == 4
    customer = (await update(gql, {"orderId": order["id"], "status": "CANCELLED"})
                )["order"]["customer"]
    assert customer["loyalty"] == {"pointsBalance": 0, "pointsEarned": 20}
    assert [e["points"] for e in customer["loyaltyLedger"]] == [-4, -20, 24]
    await assert_exact(org, pk(customer["id"]))


async def test_cancelling_with_nothing_left_to_take_back_writes_no_entry(gql, org: OrgFixture
                                                                         ) -> None:
    order = await recorded(gql, org)
    await gql.data(REDEEM, {"input": {"customerId": order["customer"]["id"], "points": 24,
                                      "reason": "Dessert", "kind": "REDEEM"}})
    customer = (await update(gql, {"orderId": order["id"], "status": "CANCELLED"})
                )["order"]["customer"]
    assert customer["loyalty"] == {"pointsBalance": 0, "pointsEarned": 24}
    assert [e["points"] for e in customer["loyaltyLedger"]] == [-24, 24]


async def test_cancelling_an_order_that_never_earned(gql, org: OrgFixture) -> None:
    order = await recorded(gql, org, status="CONFIRMED")
    customer = (await update(gql, {"orderId": order["id"], "status": "CANCELLED"})
                )["order"]["customer"]
    assert customer["loyaltyLedger"] == []
    assert customer["orderSummary"]["totalOrders"] == 0


async def test_delivery_times_set_punctuality(gql, org: OrgFixture) -> None:
    order = await recorded(gql, org, channel="DELIVERY_PLATFORM", status="OUT_FOR_DELIVERY",
                           placedAt=at(3), fulfilment={"type": "DELIVERY",
                                                       "promisedAt": at(2)})
    assert order["fulfilment"]["punctuality"] is None
    late = await update(gql, {"orderId": order["id"], "status": "COMPLETED",
                              "deliveredAt": at(1)})
    assert late["order"]["fulfilment"]["punctuality"] == "DELAYED"
    assert late["order"]["customer"]["orderSummary"]["lastOrderPunctuality"] == "DELAYED"
    fixed = await update(gql, {"orderId": order["id"], "promisedAt": at(0.5)})
    assert fixed["order"]["fulfilment"]["punctuality"] == "ON_TIME"
    assert fixed["order"]["customer"]["orderSummary"]["lastOrderPunctuality"] == "ON_TIME"
    cleared = await update(gql, {"orderId": order["id"], "deliveredAt": None})
    assert cleared["order"]["fulfilment"]["punctuality"] is None
    assert cleared["order"]["fulfilment"]["promisedAt"] is not None
    assert "order.delivery_times_changed" in await event_kinds(org)


async def test_pickup_orders_have_no_punctuality(gql, org: OrgFixture) -> None:
    order = await recorded(gql, org, status="READY", placedAt=at(2))
    done = await update(gql, {"orderId": order["id"], "promisedAt": at(1.5),
                              "deliveredAt": at(1)})
    assert done["order"]["fulfilment"]["punctuality"] is None


async def test_nothing_sent_changes_nothing(gql, org: OrgFixture) -> None:
    order = await recorded(gql, org, status="PENDING")
    before = await organization_state(org.db, org.id)
    for input in ({"orderId": order["id"]}, {"orderId": order["id"], "status": "PENDING"}):
        payload = await update(gql, input)
        assert payload["changed"] is False
        assert payload["order"]["status"] == "PENDING"
    assert await organization_state(org.db, org.id) == before


@pytest.mark.parametrize(("start", "input", "field"), [
    ("CANCELLED", {"status": "PENDING"}, "status"),
    ("CANCELLED", {"status": "COMPLETED"}, "status"),
    ("CANCELLED", {"deliveredAt": at(1)}, "orderId"),
    ("COMPLETED", {"status": "PREPARING"}, "status"),
    ("COMPLETED", {"status": "PENDING"}, "status"),
])
async def test_invalid_transitions_are_refused(gql, org: OrgFixture, start: str,
                                               input: dict[str, Any], field: str) -> None:
    order = await recorded(gql, org, status=start, placedAt=at(3))
    errors = await refused(gql, org, UPDATE, {"orderId": order["id"], **input},
                           "updateOrderStatus")
    assert codes(errors) == [(field, "INVALID_TRANSITION")]


async def test_a_cancelled_order_stays_cancelled_after_cancelling(gql, org: OrgFixture) -> None:
    order = await recorded(gql, org)
    await update(gql, {"orderId": order["id"], "status": "CANCELLED"})
    errors = await refused(gql, org, UPDATE, {"orderId": order["id"], "status": "READY"},
                           "updateOrderStatus")
    assert codes(errors) == [("status", "INVALID_TRANSITION")]
    again = await update(gql, {"orderId": order["id"], "status": "CANCELLED"})
    assert again["changed"] is False


@pytest.mark.parametrize(("input", "field", "code"), [
    ({"deliveredAt": "2026-01-01T10:00:00"}, "deliveredAt", "INVALID"),
    ({"promisedAt": "2026-01-01T10:00:00"}, "promisedAt", "INVALID"),
    ({"deliveredAt": at(100)}, "deliveredAt", "INVALID"),
])
async def test_bad_times_are_refused(gql, org: OrgFixture, input: dict[str, Any], field: str,
                                     code: str) -> None:
    order = await recorded(gql, org, status="PENDING", placedAt=at(3))
    errors = await refused(gql, org, UPDATE, {"orderId": order["id"], **input},
                           "updateOrderStatus")
    assert codes(errors) == [(field, code)]


async def test_unknown_orders(gql, org: OrgFixture, db) -> None:
    await recorded(gql, org)
    errors = await refused(gql, org, UPDATE, {"orderId": gid("Order", 10**9),
                                              "status": "READY"}, "updateOrderStatus")
    assert codes(errors) == [("orderId", "NOT_FOUND")]
    errors = await refused(gql, org, UPDATE, {"orderId": gid("Customer", 1), "status": "READY"},
                           "updateOrderStatus")
    assert codes(errors) == [("orderId", "INVALID")]
    other = await create_organization(db)
    theirs = await other.order(await other.customer())
    errors = await refused(gql, org, UPDATE, {"orderId": gid("Order", theirs),
                                              "status": "CANCELLED"}, "updateOrderStatus")
    assert codes(errors) == [("orderId", "NOT_FOUND")]
