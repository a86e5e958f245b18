"""Incremental sync: `customers(filter: {updatedAt: {from}}, sort: [{field: UPDATED_AT}])` lists
the customers any write touched since a moment (profile, consent, an order, points, a merge),
oldest change first, and pages through them without repeating or skipping one."""

from datetime import UTC, datetime, timedelta

from models.core.enums import OrderStatus

from factories import NOW, OrgFixture, add_customer, add_order
from order_writes import ADJUST, gid, order_input, pk, record

CHANGED = """query($since: DateTime, $first: Int, $after: String) {
  customers(filter: {updatedAt: {from: $since}}, sort: [{field: UPDATED_AT}],
            first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id email updatedAt } } }"""
UPDATE = """mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
  customer { id } userErrors { code } } }"""
CONSENT = """mutation($input: SetConsentInput!) { setConsent(input: $input) {
  customer { id } userErrors { code } } }"""
MERGE = """mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
  customer { id } userErrors { code } } }"""
LONG_AGO = NOW - timedelta(days=30)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def changed_since(gql, since: datetime) -> list[str]:
    data = await gql.data(CHANGED, {"since": iso(since), "first": 250})
    return [node["id"] for node in data["customers"]["nodes"]]


async def quiet_customers(org: OrgFixture, count: int) -> list[str]:
    """Customers whose last write was a month ago."""
    return [gid("Customer", await add_customer(org.db, org.id, updated_at=LONG_AGO))
            for _ in range(count)]


async def test_every_kind_of_write_moves_a_customer_into_the_changes(gql, org: OrgFixture
                                                                     ) -> None:
    edited, consented, ordered, pointed, merged_into, merged_away, untouched = (
        await quiet_customers(org, 7))
    since = datetime.now(UTC) - timedelta(seconds=1)
    assert await changed_since(gql, since) == []

    await gql.data(UPDATE, {"input": {"id": edited, "firstName": "Editada"}})
    await gql.data(CONSENT, {"input": {"customerId": consented, "subscribed": True}})
    await record(gql, order_input(org, customerId=ordered))
    await gql.data(ADJUST, {"input": {"customerId": pointed, "points": 10, "reason": "gift"}})
    await gql.data(MERGE, {"input": {"targetId": merged_into, "sourceIds": [merged_away]}})

    changed = await changed_since(gql, since)
    assert changed == [edited, consented, ordered, pointed, merged_into]  # oldest change first
    assert untouched not in changed
    everyone = await changed_since(gql, LONG_AGO - timedelta(seconds=1))
    assert set(everyone) == {edited, consented, ordered, pointed, merged_into, untouched}


async def test_a_status_change_of_an_order_moves_its_customer(gql, org: OrgFixture) -> None:
    [customer] = await quiet_customers(org, 1)
    order = await add_order(org.db, org.id, pk(customer), status=OrderStatus.PENDING)
    since = datetime.now(UTC) - timedelta(seconds=1)
    payload = (await gql.data(
        """mutation($input: UpdateOrderStatusInput!) { updateOrderStatus(input: $input) {
             order { status } userErrors { code } } }""",
        {"input": {"orderId": gid("Order", order), "status": "COMPLETED"}}))
    assert payload["updateOrderStatus"]["userErrors"] == []
    assert await changed_since(gql, since) == [customer]


async def test_pages_of_the_changes_neither_repeat_nor_skip(gql, org: OrgFixture) -> None:
    # Ties on updatedAt (one moment for all) are broken by id.
    moment = NOW - timedelta(days=2)
    ids = [gid("Customer", await add_customer(org.db, org.id, updated_at=moment))
           for _ in range(7)]
    ids += [gid("Customer", await add_customer(org.db, org.id, updated_at=moment
                                                + timedelta(minutes=1))) for _ in range(3)]
    seen: list[str] = []
    after = None
    while True:
        data = (await gql.data(CHANGED, {"since": iso(moment), "first": 3, "after": after}))
        connection = data["customers"]
        assert connection["totalCount"] == 10
        seen += [node["id"] for node in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == ids


async def test_a_cursor_of_another_sort_is_refused(gql, org: OrgFixture) -> None:
    await quiet_customers(org, 2)
    newest = await gql.data("{ customers(first: 1) { pageInfo { endCursor } } }")
    cursor = newest["customers"]["pageInfo"]["endCursor"]
    errors = await gql.errors(CHANGED, {"since": iso(LONG_AGO), "first": 1, "after": cursor})
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"
