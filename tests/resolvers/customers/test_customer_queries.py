"""The customer list, profile and stats over HTTP, against the real database."""

import base64

from models.core.enums import OrderStatus

from factories import NOW, OrgFixture

PROFILE = """
query($id: ID!) { customer(id: $id) {
  id type firstName lastName fullName email
  phone { e164 national international countryCode }
  addresses { line1 city country } source mainStore { name } stores { code }
  marketingConsent { subscribed updatedAt source }
  loyalty { provider membershipId pointsBalance pointsEarned }
  orderSummary { totalOrders totalSpent { amount currency } averageOrderValue { amount }
                 monthlySpend { amount } firstOrderAt lastOrderAt lastOrderStatus }
  orders(first: 2) { totalCount edges { cursor node { number total { amount }
                     items { name quantity unitPrice { amount } total { amount } }
                     store { code } } } pageInfo { hasNextPage endCursor } }
}}"""


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


async def test_profile_shows_every_part(gql, org: OrgFixture) -> None:
    cid = await org.customer(first_name="José", last_name="García", phone_e164="+34612345678",
                             main_store_id=org.store_ids[0], membership_id="M-1",
                             loyalty_provider="customerhub", addresses=2)
    await org.order(cid, store_id=org.store_ids[1], total=1250, points=12)
    await org.order(cid, store_id=org.store_ids[2], total=750, points=7)
    await org.order(cid, store_id=org.store_ids[2], total=999,
                    status=OrderStatus.CANCELLED)

    customer = (await gql.data(PROFILE, {"id": gid("Customer", cid)}))["customer"]

    assert customer["fullName"] == "José García"
    assert customer["phone"] == {"e164": "+34612345678", "national": "612 34 56 78",
                                 "international": "+34 612 34 56 78", "countryCode": "ES"}
    assert [a["line1"] for a in customer["addresses"]] == ["Calle 1", "Calle 2"]
    assert customer["mainStore"] == {"name": "Madrid"}
    assert sorted(s["code"] for s in customer["stores"]) == ["BCN", "VLC"]
    assert customer["loyalty"] == {"provider": "customerhub", "membershipId": "M-1",
                                   "pointsBalance": 19, "pointsEarned": 19}
    summary = customer["orderSummary"]
    assert summary["totalOrders"] == 2  # the cancelled order does not count
    assert summary["totalSpent"] == {"amount": "20.00", "currency": "EUR"}
    assert summary["averageOrderValue"] == {"amount": "10.00"}
    orders = customer["orders"]
    assert orders["totalCount"] == 3
    assert len(orders["edges"]) == 2
    assert orders["pageInfo"]["hasNextPage"] is True
    first = orders["edges"][0]["node"]
    assert sum(float(i["total"]["amount"]) for i in first["items"]) == float(
        first["total"]["amount"])


async def test_order_pages_follow_each_other(gql, org: OrgFixture) -> None:
    cid = await org.customer()
    for hours in range(5):
        await org.order(cid, placed_at=NOW.replace(hour=hours))
    query = """query($id: ID!, $after: String) { customer(id: $id) {
        orders(first: 2, after: $after) { edges { node { placedAt } }
                                          pageInfo { hasNextPage endCursor } } } }"""
    seen, after = [], None
    while True:
        page = (await gql.data(query, {"id": gid("Customer", cid), "after": after})
                )["customer"]["orders"]
        seen += [e["node"]["placedAt"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 5
    assert seen == sorted(seen, reverse=True)


async def test_stats_header(gql, org: OrgFixture) -> None:
    from models.core.enums import CustomerSource, CustomerType

    a = await org.customer(subscribed=True, source=CustomerSource.POS, created_at=NOW)
    await org.customer(type=CustomerType.GUEST, registered_at=None, source=CustomerSource.POS)
    await org.customer(source=CustomerSource.MANUAL)
    await org.order(a, total=3000)
    await org.order(a, total=1000)
    stats = (await gql.data("""{ customerStats { total registered guests subscribed
        totalSpent { amount } averageSpendPerCustomer { amount } averageOrderValue { amount }
        bySource { source count } } }"""))["customerStats"]
    assert (stats["total"], stats["registered"], stats["guests"], stats["subscribed"]) == (
        3, 2, 1, 1)
    assert stats["totalSpent"]["amount"] == "40.00"
    assert stats["averageSpendPerCustomer"]["amount"] == "40.00"
    assert stats["averageOrderValue"]["amount"] == "20.00"
    assert stats["bySource"] == [{"source": "POS", "count": 2}, {"source": "MANUAL", "count": 1}]


async def test_missing_or_bad_key_is_401(client) -> None:
    response = await client.post("/graphql", json={"query": "{ stores { id } }"})
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["errors"][0]["message"]
    response = await client.post("/graphql", json={"query": "{ stores { id } }"},
                                 headers={"Authorization": "Bearer chk_not-a-real-key"})
    assert response.status_code == 401
    assert "unknown or has been revoked" in response.json()["errors"][0]["message"]


async def test_page_size_is_capped(gql) -> None:
    errors = await gql.errors("{ customers(first: 251) { nodes { id } } }")
    assert errors[0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"
    assert "250" in errors[0]["message"]
