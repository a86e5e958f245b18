"""mergeCustomers and eraseCustomer: what moves, what stays, and every refusal."""

import base64
from datetime import timedelta

from sqlalchemy import func, select

from models import orders
from models.core.enums import ActorKind, ConsentSource, CustomerType
from models.core.events import DomainEvent
from models.customers.consent import ConsentEvent

from factories import NOW, OrgFixture
from snapshots import organization_state

MERGE = """mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
  customer { id type email phone { e164 } firstName notes
    marketingConsent { subscribed source } loyalty { membershipId pointsBalance pointsEarned }
    orderSummary { totalOrders totalSpent { amount } } stores { code } addresses { line1 }
    consentHistory { subscribed } }
  userErrors { field code message } } }"""
ERASE = """mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) {
  customer { id fullName email phone { e164 } addresses { line1 } erasedAt
             marketingConsent { subscribed } consentHistory { subscribed source }
             orderSummary { totalOrders totalSpent { amount } } loyalty { membershipId } }
  userErrors { field code message } } }"""
PROFILE = "query($id: ID!) { customer(id: $id) { id firstName } node(id: $id) { id } }"


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


async def consent(org: OrgFixture, customer_id: int, subscribed: bool, days_ago: int) -> None:
    async with org.db.admin_session() as session:
        when = NOW - timedelta(days=days_ago)
        session.add(ConsentEvent(organization_id=org.id, customer_id=customer_id,
                                 subscribed=subscribed, source=ConsentSource.WEB,
                                 actor_kind=ActorKind.SYSTEM,
                                 occurred_at=when))
        from models.customers.table import Customer

        row = await session.get(Customer, customer_id)
        row.subscribed, row.consent_updated_at = subscribed, when
        row.consent_source = ConsentSource.WEB
        await session.commit()


async def test_merge_moves_everything_to_the_target(gql, org: OrgFixture) -> None:
    mad, bcn, _ = org.store_ids
    target = await org.customer(first_name="Ana", email="ana@x.es", phone_e164=None,
                                addresses=1, notes=None)
    guest = await org.customer(type=CustomerType.GUEST, registered_at=None, first_name=None,
                               email="ana.guest@x.es", phone_e164="+34611000222",
                               notes="prefers terrace", membership_id="LOY-7", addresses=1)
    await org.order(target, store_id=mad, total=1000, points=10)
    await org.order(guest, store_id=bcn, total=2500, points=25)
    await consent(org, target, True, days_ago=30)
    await consent(org, guest, False, days_ago=2)  # the most recent decision

    payload = (await gql.data(MERGE, {"input": {"targetId": gid("Customer", target),
                                                "sourceIds": [gid("Customer", guest)]}})
               )["mergeCustomers"]
    assert payload["userErrors"] == []
    merged = payload["customer"]
    assert merged["email"] == "ana@x.es"  # the target keeps its own
    assert merged["phone"] == {"e164": "+34611000222"}  # and takes what it lacked
    assert merged["notes"] == "prefers terrace"
    assert merged["marketingConsent"] == {"subscribed": False, "source": "WEB"}
    assert len(merged["consentHistory"]) == 2
    assert merged["loyalty"] == {"membershipId": "LOY-7", "pointsBalance": 35,
                                 "pointsEarned": 35}
    assert merged["orderSummary"] == {"totalOrders": 2, "totalSpent": {"amount": "35.00"}}
    assert sorted(s["code"] for s in merged["stores"]) == ["BCN", "MAD"]
    assert len(merged["addresses"]) == 2

    # The source's ID now resolves to the target, for reads and for writes.
    data = await gql.data(PROFILE, {"id": gid("Customer", guest)})
    assert data["customer"]["id"] == gid("Customer", target)
    assert data["node"]["id"] == gid("Customer", target)
    listing = await gql.data("{ customers { totalCount } }")
    assert listing["customers"]["totalCount"] == 1
    async with org.db.admin_session() as session:
        kinds = list(await session.scalars(select(DomainEvent.kind).where(
            DomainEvent.organization_id == org.id)))
    assert "customer.merged" in kinds


async def test_merging_a_merged_target_follows_the_chain(gql, org: OrgFixture) -> None:
    a, b, c = (await org.customer(), await org.customer(), await org.customer())
    for target, source in ((b, a), (c, b)):
        payload = (await gql.data(MERGE, {"input": {"targetId": gid("Customer", target),
                                                    "sourceIds": [gid("Customer", source)]}}))
        assert payload["mergeCustomers"]["userErrors"] == []
    data = await gql.data(PROFILE, {"id": gid("Customer", a)})
    assert data["customer"]["id"] == gid("Customer", c)


async def test_merge_refusals_change_nothing(gql, org: OrgFixture) -> None:
    a = await org.customer()
    b = await org.customer()
    cases = [
        ({"targetId": gid("Customer", a), "sourceIds": []}, "sourceIds", "REQUIRED"),
        ({"targetId": gid("Customer", a), "sourceIds": [gid("Customer", a)]}, "sourceIds",
         "INVALID"),
        ({"targetId": gid("Customer", 10**9), "sourceIds": [gid("Customer", b)]}, "targetId",
         "NOT_FOUND"),
        ({"targetId": gid("Customer", a), "sourceIds": [gid("Customer", 10**9)]}, "sourceIds",
         "NOT_FOUND"),
        ({"targetId": "garbage", "sourceIds": [gid("Customer", b)]}, "targetId", "INVALID"),
    ]
    for input, field, code in cases:
        before = await organization_state(org.db, org.id)
        payload = (await gql.data(MERGE, {"input": input}))["mergeCustomers"]
        assert payload["customer"] is None
        assert (payload["userErrors"][0]["field"], payload["userErrors"][0]["code"]) == (
            ["input", field], code), input
        assert await organization_state(org.db, org.id) == before


async def test_erase_wipes_personal_data_and_keeps_orders(gql, org: OrgFixture) -> None:
    cid = await org.customer(first_name="Zoë", last_name="Smith", email="zoe@x.es",
                             phone_e164="+34622000333", addresses=2, membership_id="LOY-9",
                             notes="allergic to nuts")
    await org.order(cid, total=4200, points=42)
    await consent(org, cid, True, days_ago=5)

    payload = (await gql.data(ERASE, {"input": {"customerId": gid("Customer", cid)}})
               )["eraseCustomer"]
    assert payload["userErrors"] == []
    erased = payload["customer"]
    assert erased["erasedAt"] is not None
    assert (erased["fullName"], erased["email"], erased["phone"]) == ("", None, None)
    assert erased["addresses"] == []
    assert erased["loyalty"] == {"membershipId": None}
    assert erased["marketingConsent"] == {"subscribed": False}
    assert erased["consentHistory"] == [{"subscribed": True, "source": "WEB"}]  # proof kept
    assert erased["orderSummary"] == {"totalOrders": 1, "totalSpent": {"amount": "42.00"}}
    for search in ("zoe", "622000333", "loy-9"):
        found = await gql.data('query($s: String) { customers(filter: {search: $s}) '
                               '{ totalCount } }', {"s": search})
        assert found["customers"]["totalCount"] == 0, search
    async with org.db.admin_session() as session:
        from models.customers.table import Customer

        row = await session.get(Customer, cid)
        assert row.notes is None
        assert row.search_text == ""
        kept = await session.scalar(select(func.count()).select_from(orders.Order).where(
            orders.Order.customer_id == cid))
        assert kept == 1

    before = await organization_state(org.db, org.id)
    again = (await gql.data(ERASE, {"input": {"customerId": gid("Customer", cid)}})
             )["eraseCustomer"]
    assert again["userErrors"][0]["code"] == "INVALID"
    missing = (await gql.data(ERASE, {"input": {"customerId": gid("Customer", 10**9)}})
               )["eraseCustomer"]
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"
    assert await organization_state(org.db, org.id) == before
