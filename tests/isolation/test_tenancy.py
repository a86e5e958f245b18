"""With two organizations in one database, neither ever reaches the other's data."""

import base64

import pytest

from models.core.tenancy import TenantScopeError
from models.customers.table import Customer

from clients import GraphQL
from factories import create_organization


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


@pytest.fixture
async def two_orgs(db, client):
    mine, theirs = await create_organization(db), await create_organization(db)
    mine_customer = await mine.customer(first_name="Mine", email="same@example.com",
                                        phone_e164="+34600000001")
    their_customer = await theirs.customer(first_name="Theirs", email="same@example.com",
                                           phone_e164="+34600000001", membership_id="SHARED",
                                           main_store_id=theirs.store_ids[0])
    their_order = await theirs.order(their_customer, store_id=theirs.store_ids[0])
    await mine.order(mine_customer, store_id=mine.store_ids[0])
    return {"gql": GraphQL(client, mine.api_key), "mine": mine, "theirs": theirs,
            "their_customer": their_customer, "their_order": their_order}


async def test_no_root_field_returns_the_other_organizations_data(two_orgs) -> None:
    gql, theirs = two_orgs["gql"], two_orgs["theirs"]
    their_ids = {gid("Customer", two_orgs["their_customer"]),
                 gid("Order", two_orgs["their_order"]),
                 *(gid("Store", s) for s in theirs.store_ids)}

    # 50 a page: 250 customers with 50 orders each would be over the default query cost.
    listing = (await gql.data("""{ customers(first: 50) { totalCount nodes { id
        orders { nodes { id store { id } } } stores { id } } } }"""))["customers"]
    assert listing["totalCount"] == 1
    seen = {listing["nodes"][0]["id"]}
    for node in listing["nodes"]:
        seen |= {o["id"] for o in node["orders"]["nodes"]}
        seen |= {o["store"]["id"] for o in node["orders"]["nodes"] if o["store"]}
        seen |= {s["id"] for s in node["stores"]}
    assert not seen & their_ids

    stores = (await gql.data("{ stores { id } }"))["stores"]
    assert len(stores) == 3
    assert not {s["id"] for s in stores} & their_ids

    for their_id in their_ids:
        data = await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": their_id})
        assert data["node"] is None, their_id
    assert (await gql.data("query($id: ID!) { customer(id: $id) { id } }",
                           {"id": gid("Customer", two_orgs["their_customer"])}))[
        "customer"] is None
    assert (await gql.data("query($id: ID!) { store(id: $id) { id } }",
                           {"id": gid("Store", theirs.store_ids[0])}))["store"] is None

    stats = (await gql.data("{ customerStats { total } }"))["customerStats"]
    assert stats["total"] == 1


@pytest.mark.parametrize("filter", [
    {"search": "same@example.com"}, {"search": "shared"}, {"phone": "600000001"},
    {"email": "same@example.com"}, {"name": "theirs"},
])
async def test_no_filter_reaches_the_other_organization(two_orgs, filter) -> None:
    gql = two_orgs["gql"]
    nodes = (await gql.data("query($f: CustomerFilter) { customers(filter: $f) "
                            "{ nodes { firstName } } }", {"f": filter}))["customers"]["nodes"]
    assert all(n["firstName"] == "Mine" for n in nodes)


async def test_filters_by_their_ids_find_nothing(two_orgs) -> None:
    gql, theirs = two_orgs["gql"], two_orgs["theirs"]
    for filter in ({"ids": [gid("Customer", two_orgs["their_customer"])]},
                   {"storeIds": [gid("Store", s) for s in theirs.store_ids]},
                   {"mainStoreIds": [gid("Store", s) for s in theirs.store_ids]}):
        data = await gql.data("query($f: CustomerFilter) { customers(filter: $f) "
                              "{ totalCount nodes { id } } }", {"f": filter})
        assert data["customers"] == {"totalCount": 0, "nodes": []}, filter


async def test_a_session_without_organization_refuses_tenant_queries(db) -> None:
    from sqlalchemy import select

    async with db.sessions() as session:
        with pytest.raises(TenantScopeError):
            await session.execute(select(Customer))
