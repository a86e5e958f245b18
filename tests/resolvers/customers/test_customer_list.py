"""Every filter of the customer list, search that ignores accents and phone formats, and
paging that never repeats or skips a customer under any sort."""

import base64
import itertools
import random
from datetime import timedelta

import pytest

from models.core.enums import CustomerSource, CustomerType, RiskLevel, ShopperLevel

from factories import NOW, OrgFixture

LIST = """query($filter: CustomerFilter, $sort: [CustomerSort!], $first: Int, $after: String,
               $last: Int, $before: String) {
  customers(filter: $filter, sort: $sort, first: $first, after: $after, last: $last,
            before: $before) {
    totalCount nodes { id firstName lastName }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


async def names(gql, filter: dict) -> set[str]:
    page = (await gql.data(LIST, {"filter": filter, "first": 250}))["customers"]
    assert page["totalCount"] == len(page["nodes"])
    return {n["firstName"] for n in page["nodes"]}


async def test_name_and_search_ignore_case_and_accents(gql, org: OrgFixture) -> None:
    await org.customer(first_name="José", last_name="García")
    await org.customer(first_name="Jose", last_name="Garcés")
    await org.customer(first_name="María", last_name="Núñez", email="maria@correo.es",
                       external_id="EXT-77", membership_id="LOY-991")
    assert await names(gql, {"name": "jose garcia"}) == {"José"}
    assert await names(gql, {"name": "JOSÉ"}) == {"José", "Jose"}
    assert await names(gql, {"search": "nunez"}) == {"María"}
    assert await names(gql, {"search": "maria@correo"}) == {"María"}
    assert await names(gql, {"search": "ext-77"}) == {"María"}
    assert await names(gql, {"search": "loy-991"}) == {"María"}
    assert await names(gql, {"search": "100%"}) == set()  # % is literal, not a wildcard


@pytest.mark.parametrize("typed", ["612 34 56 78", "+34 612345678", "0034612345678",
                                   "612345678", "3456"])
async def test_phone_search_takes_what_staff_type(gql, org: OrgFixture, typed: str) -> None:
    await org.customer(first_name="Ana", phone_e164="+34612345678")
    await org.customer(first_name="Bob", phone_e164="+447700900123")
    assert await names(gql, {"phone": typed}) == {"Ana"}
    assert await names(gql, {"search": typed}) == {"Ana"}


async def test_every_filter(gql, org: OrgFixture) -> None:
    mad, bcn, vlc = org.store_ids
    a = await org.customer(first_name="A", type=CustomerType.GUEST, registered_at=None,
                           source=CustomerSource.POS, subscribed=True, tax_exempt=True,
                           risk_level=RiskLevel.HIGH, shopper_level=ShopperLevel.VIP,
                           main_store_id=mad, last_access_at=NOW - timedelta(days=2))
    b = await org.customer(first_name="B", source=CustomerSource.WEB, main_store_id=bcn,
                           registered_at=NOW - timedelta(days=100),
                           risk_level=RiskLevel.LOW, shopper_level=ShopperLevel.NEW,
                           last_access_at=NOW - timedelta(days=50))
    await org.customer(first_name="C", source=CustomerSource.IMPORT,
                       registered_at=NOW - timedelta(days=10))
    await org.order(a, store_id=vlc, total=5000, placed_at=NOW - timedelta(days=1))
    await org.order(a, store_id=vlc, total=2500, placed_at=NOW - timedelta(days=3))
    await org.order(b, store_id=mad, total=1999, placed_at=NOW - timedelta(days=40))

    def days(n: int) -> str:
        return (NOW - timedelta(days=n)).isoformat()

    cases = [
        ({"ids": [gid("Customer", a), gid("Customer", b)]}, {"A", "B"}),
        ({"ids": []}, set()),
        ({"types": ["GUEST"]}, {"A"}),
        ({"sources": ["WEB", "IMPORT"]}, {"B", "C"}),
        ({"storeIds": [gid("Store", vlc)]}, {"A"}),
        ({"storeIds": [gid("Store", mad), gid("Store", vlc)]}, {"A", "B"}),
        ({"mainStoreIds": [gid("Store", bcn)]}, {"B"}),
        ({"registeredAt": {"from": days(30)}}, {"C"}),
        ({"registeredAt": {"from": days(200), "to": days(30)}}, {"B"}),
        ({"lastAccessAt": {"from": days(7)}}, {"A"}),
        ({"lastOrderAt": {"to": days(2)}}, {"B"}),
        ({"lastOrderAt": {"from": days(2)}}, {"A"}),
        ({"orderCount": {"max": 0}}, {"C"}),
        ({"orderCount": {"min": 2}}, {"A"}),
        ({"orderCount": {"min": 1, "max": 1}}, {"B"}),
        ({"totalSpent": {"min": "19.99", "max": "20"}}, {"B"}),
        ({"totalSpent": {"min": "20.00"}}, {"A"}),
        ({"subscribed": True}, {"A"}),
        ({"subscribed": False}, {"B", "C"}),
        ({"riskLevels": ["HIGH", "MEDIUM"]}, {"A"}),
        ({"shopperLevels": ["NEW"]}, {"B"}),
        ({"taxExempt": True}, {"A"}),
        ({"sources": ["POS", "WEB"], "orderCount": {"min": 2}}, {"A"}),  # AND
    ]
    for filter, expected in cases:
        assert await names(gql, filter) == expected, filter


async def test_bad_ids_are_client_errors(gql) -> None:
    errors = await gql.errors(LIST, {"filter": {"storeIds": ["nope"]}})
    assert errors[0]["extensions"]["code"] == "INVALID_ID"
    errors = await gql.errors(LIST, {"filter": {"storeIds": [gid("Customer", 1)]}})
    assert "not the ID of a Store" in errors[0]["message"]


SORT_FIELDS = ["NAME", "EMAIL", "REGISTERED_AT", "LAST_ACCESS_AT", "LAST_ORDER_AT",
               "ORDER_COUNT", "TOTAL_SPENT", "AVERAGE_SPEND", "POINTS_BALANCE", "CREATED_AT"]


@pytest.fixture
async def tied_customers(org: OrgFixture) -> list[int]:
    """Customers with many ties and NULLs in every sortable column."""
    rng = random.Random(5)
    ids = []
    for n in range(23):
        fields = {
            "first_name": rng.choice(["Ana", "Álvaro", "Zoë", "ana"]),
            "last_name": rng.choice(["Ruiz", "Peña"]),
            "email": rng.choice([None, f"a{n}@x.es", f"b{n}@x.es"]),  # unique: ties are NULLs
            "registered_at": rng.choice([None, NOW, NOW - timedelta(days=1)]),
            "last_access_at": rng.choice([None, NOW]),
            "created_at": rng.choice([NOW, NOW - timedelta(days=3)]),
        }
        cid = await org.customer(**fields)
        for _ in range(n % 3):
            await org.order(cid, total=rng.choice([500, 1000]), points=rng.choice([0, 5]),
                            placed_at=rng.choice([NOW, NOW - timedelta(days=2)]))
        ids.append(cid)
    return ids


@pytest.mark.parametrize(("field", "direction"),
                         list(itertools.product(SORT_FIELDS, ["ASC", "DESC"])))
async def test_paging_never_repeats_or_skips(gql, tied_customers: list[int], field: str,
                                             direction: str) -> None:
    sort = [{"field": field, "direction": direction}]
    everything = (await gql.data(LIST, {"sort": sort, "first": 250}))["customers"]["nodes"]
    assert len(everything) == len(tied_customers)

    forward, after = [], None
    while True:
        page = (await gql.data(LIST, {"sort": sort, "first": 4, "after": after}))["customers"]
        forward += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert forward == [n["id"] for n in everything]

    backward, before = [], None
    while True:
        page = (await gql.data(LIST, {"sort": sort, "last": 5, "before": before}))["customers"]
        backward = [n["id"] for n in page["nodes"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == forward


async def test_where_missing_values_sort(gql, org: OrgFixture) -> None:
    """A missing email sorts after every address from A to Z; a missing date sorts as the
    earliest (the placement each key's index serves in both directions)."""
    never = await org.customer(first_name="never", email=None)
    zed = await org.customer(first_name="zed", email="zed@x.es")
    amy = await org.customer(first_name="amy", email="amy@x.es")
    await org.order(zed, placed_at=NOW)
    await org.order(amy, placed_at=NOW - timedelta(days=1))
    assert never
    for field, direction, expected in (
            ("EMAIL", "ASC", ["amy", "zed", "never"]),
            ("EMAIL", "DESC", ["never", "zed", "amy"]),
            ("LAST_ORDER_AT", "ASC", ["never", "amy", "zed"]),
            ("LAST_ORDER_AT", "DESC", ["zed", "amy", "never"])):
        nodes = (await gql.data(LIST, {"sort": [{"field": field, "direction": direction}]})
                 )["customers"]["nodes"]
        assert [n["firstName"] for n in nodes] == expected, (field, direction)


async def test_cursor_from_another_sort_is_refused(gql, org: OrgFixture) -> None:
    await org.customer()
    await org.customer()
    page = (await gql.data(LIST, {"first": 1, "sort": [{"field": "NAME"}]}))["customers"]
    errors = await gql.errors(LIST, {"first": 1, "after": page["pageInfo"]["endCursor"],
                                     "sort": [{"field": "EMAIL"}]})
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"
