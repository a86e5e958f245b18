"""adjustLoyaltyPoints and the loyalty ledger: reasons, the floor at zero, lifetime earned, and
`Customer.loyaltyLedger` loaded in one batch."""

from typing import Any

import pytest

from factories import OrgFixture, create_organization
from order_writes import (
    ADJUST,
    assert_exact,
    codes,
    event_kinds,
    gid,
    order_input,
    pk,
    record,
    refused,
)

LEDGER = """query($id: ID!) { customer(id: $id) {
  loyalty { pointsBalance pointsEarned }
  loyaltyLedger { kind points reason order { number } createdAt } } }"""


async def adjust(gql, customer: str, points: int, reason: str = "Goodwill",
                 kind: str = "ADJUST") -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.data(ADJUST, {"input": {
        "customerId": customer, "points": points, "reason": reason, "kind": kind}})
                               )["adjustLoyaltyPoints"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def test_adjust_creates_the_membership_and_never_counts_as_earned(gql, org: OrgFixture
                                                                        ) -> None:
    customer = gid("Customer", await org.customer())
    added = await adjust(gql, customer, 100, "  Welcome   bonus ")
    assert added["customer"]["loyalty"] == {"provider": "customerhub", "pointsBalance": 100,
                                            "pointsEarned": 0}
    assert added["entry"]["kind"] == "ADJUST"
    assert added["entry"]["reason"] == "Welcome bonus"
    assert added["entry"]["order"] is None
    corrected = await adjust(gql, customer, -30, "Typo")
    assert corrected["customer"]["loyalty"]["pointsBalance"] == 70
    redeemed = await adjust(gql, customer, 50, "Free pizza", "REDEEM")
    assert redeemed["entry"] | {"createdAt": None} == {
        "kind": "REDEEM", "points": -50, "reason": "Free pizza", "order": None,
        "createdAt": None}
    assert redeemed["customer"]["loyalty"] == {"provider": "customerhub", "pointsBalance": 20,
                                               "pointsEarned": 0}
    assert await event_kinds(org) == ["loyalty.points_changed"] * 3


async def test_lifetime_earned_counts_only_orders(gql, org: OrgFixture) -> None:
    order = (await record(gql, order_input(org)))["order"]  # earns 24
    customer = order["customer"]["id"]
    await adjust(gql, customer, 10, "Sorry for the wait")
    await adjust(gql, customer, 30, "Dessert", "REDEEM")
    ledger = (await gql.data(LEDGER, {"id": customer}))["customer"]
    assert ledger["loyalty"] == {"pointsBalance": 4, "pointsEarned": 24}
    assert [(e["kind"], e["points"], e["reason"]) for e in ledger["loyaltyLedger"]] == [
        ("REDEEM", -30, "Dessert"), ("ADJUST", 10, "Sorry for the wait"),
        ("EARN", 24, f"Order {order['number']}")]
    assert ledger["loyaltyLedger"][2]["order"] == {"number": order["number"]}
    await assert_exact(org, pk(customer))


async def test_the_balance_never_goes_below_zero(gql, org: OrgFixture) -> None:
    customer = gid("Customer", await org.customer())
    errors = await refused(gql, org, ADJUST, {"customerId": customer, "points": 1,
                                              "reason": "Coffee", "kind": "REDEEM"},
                           "adjustLoyaltyPoints")
    assert codes(errors) == [("points", "INSUFFICIENT_POINTS")]
    await adjust(gql, customer, 40)
    for points, kind in ((41, "REDEEM"), (-41, "ADJUST")):
        errors = await refused(gql, org, ADJUST, {"customerId": customer, "points": points,
                                                  "reason": "Too much", "kind": kind},
                               "adjustLoyaltyPoints")
        assert codes(errors) == [("points", "INSUFFICIENT_POINTS")]
        assert "40" in errors[0]["message"]
    emptied = await adjust(gql, customer, 40, "Everything", "REDEEM")
    assert emptied["customer"]["loyalty"]["pointsBalance"] == 0


@pytest.mark.parametrize(("input", "field", "code"), [
    ({"reason": ""}, "reason", "REQUIRED"),
    ({"reason": "   "}, "reason", "REQUIRED"),
    ({"reason": "x" * 201}, "reason", "INVALID"),
    ({"points": 0}, "points", "INVALID"),
    ({"points": -5, "kind": "REDEEM"}, "points", "INVALID"),
    ({"customerId": gid("Customer", 10**9)}, "customerId", "NOT_FOUND"),
    ({"customerId": "bad"}, "customerId", "INVALID"),
])
async def test_bad_adjustments_are_refused(gql, org: OrgFixture, input: dict[str, Any],
                                           field: str, code: str) -> None:
    customer = gid("Customer", await org.customer())
    await adjust(gql, customer, 10)
    errors = await refused(gql, org, ADJUST, {"customerId": customer, "points": 5,
                                              "reason": "Why", **input}, "adjustLoyaltyPoints")
    assert codes(errors) == [(field, code)]


async def test_a_customer_of_another_organization_is_not_found(gql, org: OrgFixture, db
                                                               ) -> None:
    other = await create_organization(db)
    theirs = gid("Customer", await other.customer())
    errors = await refused(gql, org, ADJUST, {"customerId": theirs, "points": 5,
                                              "reason": "Why"}, "adjustLoyaltyPoints")
    assert codes(errors) == [("customerId", "NOT_FOUND")]


async def test_ledger_of_a_page_costs_a_fixed_number_of_statements(gql, org: OrgFixture,
                                                                   sql_counter) -> None:
    for n in range(6):
        customer = gid("Customer", await org.customer(first_name=f"Page{n}"))
        await adjust(gql, customer, 10 + n)
        await record(gql, order_input(org, customerId=customer, customer=None))
    query = """query($first: Int!) { customers(first: $first, filter: {search: "page"}) {
      nodes { loyaltyLedger { kind points order { number store { code } } } } } }"""

    async def statements(first: int) -> int:
        sql_counter.count = 0
        data = await gql.data(query, {"first": first})
        assert len(data["customers"]["nodes"]) == first
        assert all(len(n["loyaltyLedger"]) == 2 for n in data["customers"]["nodes"])
        return sql_counter.count

    assert await statements(2) == await statements(6)
