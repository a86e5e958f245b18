"""`Customer.activity`, the audit log read from the domain events: who, when and what changed
for every write on a customer, paged, batched, scoped to the organization, and wiped of
personal values when the customer is erased."""

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from models.access.api_keys import ApiKey
from models.access.staff import StaffUser
from models.core.actors import Actor
from models.core.changes import MAX_TEXT
from models.core.enums import ActorKind, StaffRole
from models.core.events import DomainEvent, EventKind, record_event
from models.core.tenancy import session_info
from models.customers.activity import count_events_of_customers, events_of_customers
from resolvers.customers.activity_entries import SUMMARIES

from clients import GraphQL
from factories import OrgFixture, create_organization
from order_writes import at, order_input, record

ADD = """mutation($input: AddCustomerInput!) { addCustomer(input: $input) {
  customer { id } userErrors { field code message } } }"""
UPDATE = """mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
  customer { id } userErrors { field code message } } }"""
CONSENT = """mutation($input: SetConsentInput!) { setConsent(input: $input) {
  changed userErrors { field code message } } }"""
STATUS = """mutation($input: UpdateOrderStatusInput!) { updateOrderStatus(input: $input) {
  changed userErrors { field code message } } }"""
ADJUST = """mutation($input: AdjustLoyaltyPointsInput!) { adjustLoyaltyPoints(input: $input) {
  entry { points } userErrors { field code message } } }"""
MERGE = """mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
  customer { id } userErrors { field code message } } }"""
ERASE = """mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) {
  customer { id } userErrors { field code message } } }"""
ACTIVITY = """query($id: ID!, $first: Int, $after: String) { customer(id: $id) {
  activity(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor }
    nodes { id occurredAt kind summary requestId actor { kind id name }
            changes { field from to redacted } } } } }"""


def gid(kind: str, pk: int | str) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


def new_customer(**overrides: Any) -> dict[str, Any]:
    return {"firstName": "Íñigo", "lastName": "Núñez", "email": "inigo@example.es",
            "phone": "612 34 56 78", "address": {"line1": "Gran Vía 1", "city": "Madrid"},
            **overrides}


async def mutate(gql, mutation: str, name: str, input: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.data(mutation, {"input": input}))[name]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def add(gql, **overrides: Any) -> str:
    payload = await mutate(gql, ADD, "addCustomer", new_customer(**overrides))
    customer_id: str = payload["customer"]["id"]
    return customer_id


async def activity(gql, customer: str, first: int | None = None, after: str | None = None
                   ) -> dict[str, Any]:
    result: dict[str, Any] = (await gql.data(ACTIVITY, {"id": customer, "first": first,
                                                        "after": after}))["customer"]["activity"]
    return result


def changes(entry: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    assert all(not c["redacted"] for c in entry["changes"]), entry
    return {c["field"]: (c["from"], c["to"]) for c in entry["changes"]}


def staff(org: OrgFixture, role: StaffRole = StaffRole.MANAGER, staff_id: str = "7",
          grants: frozenset[str] = frozenset()) -> Actor:
    return Actor(organization_id=org.id, kind=ActorKind.STAFF_USER, id=staff_id, role=role,
                 store_ids=frozenset(org.store_ids), grants=grants)


async def key_id(org: OrgFixture) -> int:
    async with org.db.admin_session() as session:
        found = await session.scalar(select(ApiKey.id).where(ApiKey.organization_id == org.id))
        assert found is not None
        return found


async def test_staff_and_key_edits_show_who_when_and_exactly_what(gql, org: OrgFixture,
                                                                  staff_gql) -> None:
    manager = await staff_gql(StaffRole.MANAGER, stores=org.store_ids)
    async with org.db.admin_session() as session:
        manager_name = await session.scalar(
            select(StaffUser.name).where(StaffUser.email == manager.email))
    assert manager_name
    started = datetime.now(UTC)
    # At one of the manager's stores: a manager reaches only those customers.
    customer = await add(gql, notes="Allergic to nuts", mainStoreId=gid("Store", org.store_ids[0]))
    await mutate(manager, UPDATE, "updateCustomer", {
        "id": customer, "firstName": "Iñaki", "email": "INAKI@example.es",
        "lastName": "Núñez", "riskLevel": "HIGH", "mainStoreId": gid("Store", org.store_ids[1])})
    await mutate(gql, UPDATE, "updateCustomer", {
        "id": customer, "phone": "+34 699 000 111", "taxExempt": True,
        "address": {"line1": "Calle Mayor 5", "line2": "2º", "city": "Madrid",
                    "postalCode": "28013", "label": "Home"},
        "notes": "No nuts; likes the terrace", "birthday": "1990-05-17"})
    await mutate(gql, UPDATE, "updateCustomer", {"id": customer, "firstName": "Iñaki"})
    finished = datetime.now(UTC)

    log = await activity(gql, customer)
    entries = log["nodes"]
    # The last update changed nothing, and left nothing.
    assert [e["kind"] for e in entries] == [
        "CUSTOMER_UPDATED", "CUSTOMER_UPDATED", "CUSTOMER_CREATED"]
    assert log["totalCount"] == 3
    key = {"kind": "API_KEY", "id": gid("ApiKey", await key_id(org)), "name": "tests"}
    assert [e["actor"] for e in entries] == [
        key, {"kind": "STAFF_USER", "id": manager.user["id"], "name": manager_name}, key]
    times = [datetime.fromisoformat(e["occurredAt"]) for e in entries]
    assert started <= times[2] <= times[1] <= times[0] <= finished

    by_key, by_staff, created = entries
    assert changes(by_staff) == {
        "firstName": ("Íñigo", "Iñaki"), "email": ("inigo@example.es", "inaki@example.es"),
        "riskLevel": (None, "HIGH"),
        "mainStoreId": (gid("Store", org.store_ids[0]), gid("Store", org.store_ids[1]))}
    assert by_staff["summary"] == "Updated first name, email, risk level and main store"
    assert changes(by_key) == {
        "phone": ("+34612345678", "+34699000111"),
        "addresses": ("Gran Vía 1, Madrid, ES", "Home: Calle Mayor 5, 2º, 28013 Madrid, ES"),
        "notes": ("Allergic to nuts", "No nuts; likes the terrace"),
        "birthday": (None, "1990-05-17"), "taxExempt": ("false", "true")}
    assert changes(created) == {
        "firstName": (None, "Íñigo"), "lastName": (None, "Núñez"),
        "email": (None, "inigo@example.es"), "phone": (None, "+34612345678"),
        "addresses": (None, "Gran Vía 1, Madrid, ES"), "notes": (None, "Allergic to nuts"),
        "mainStoreId": (None, gid("Store", org.store_ids[0]))}
    assert created["summary"] == "Created (source MANUAL)"
    # Each write over HTTP carries its request's ID (server/request_id.py).
    assert len({e["requestId"] for e in entries}) == 3
    assert all(len(e["requestId"]) == 32 for e in entries)


async def test_consent_orders_points_merge_and_erasure_each_leave_an_entry(gql, org: OrgFixture,
                                                                          as_actor) -> None:
    owner = await as_actor(staff(org, StaffRole.OWNER, "3"))
    customer = await add(gql)
    await mutate(owner, CONSENT, "setConsent", {"customerId": customer, "subscribed": True})
    order = (await record(gql, order_input(
        org, customerId=customer, customer=None, status="PENDING", placedAt=at(1))))["order"]
    await mutate(gql, STATUS, "updateOrderStatus", {"orderId": order["id"],
                                                    "status": "COMPLETED"})
    await mutate(owner, ADJUST, "adjustLoyaltyPoints", {
        "customerId": customer, "points": 5, "reason": "Birthday treat", "kind": "REDEEM"})
    guest = (await record(gql, order_input(org, placedAt=at(3))))["order"]["customer"]["id"]
    await mutate(owner, MERGE, "mergeCustomers", {"targetId": customer, "sourceIds": [guest]})

    entries = (await activity(gql, customer, first=50))["nodes"]
    summaries = [(e["kind"], e["summary"]) for e in entries]
    number = order["number"]
    assert summaries == [
        ("CUSTOMER_MERGED", "Merged 1 customer into this one: Lucía Pérez"),
        # The guest's own entries moved here with the merge (in the order they happened).
        ("ORDER_RECORDED", f"Order {_number(entries[1])} recorded: 24.45 EUR (COMPLETED)"),
        ("LOYALTY_POINTS_CHANGED", f"+24 points (EARN): Order {_number(entries[1])}"),
        ("CUSTOMER_CREATED", "Created as a guest with an order (source POS)"),
        ("LOYALTY_POINTS_CHANGED", "-5 points (REDEEM): Birthday treat"),
        ("LOYALTY_POINTS_CHANGED", f"+24 points (EARN): Order {number}"),
        ("ORDER_STATUS_CHANGED", f"Order {number}: PENDING → COMPLETED"),
        ("ORDER_RECORDED", f"Order {number} recorded: 24.45 EUR (PENDING)"),
        ("CUSTOMER_CONSENT_CHANGED", "Subscribed to marketing through ADMIN"),
        ("CUSTOMER_CREATED", "Created (source MANUAL)"),
    ]
    merged, status, consent = entries[0], entries[6], entries[8]
    assert merged["actor"] == {"kind": "STAFF_USER", "id": gid("StaffUser", 3), "name": None}
    assert changes(merged) == {}  # the target had all the guest had
    assert changes(status) == {"status": ("PENDING", "COMPLETED")}
    assert changes(consent) == {"subscribed": ("false", "true")}
    assert changes(entries[3])["email"] == (None, "lucia@example.es")

    await mutate(gql, ERASE, "eraseCustomer", {"customerId": customer})
    erased = (await activity(gql, customer, first=1))["nodes"][0]
    assert (erased["kind"], erased["summary"]) == ("CUSTOMER_ERASED",
                                                   "Personal data erased on request")
    # The merged guest's ID resolves to the target, and so does its activity.
    assert (await activity(gql, guest, first=1))["nodes"] == [erased]


def _number(entry: dict[str, Any]) -> str:
    return entry["summary"].split("Order ", 1)[1].split(":", 1)[0].split(" ", 1)[0]


async def test_erasure_wipes_the_values_and_keeps_what_changed(gql, org: OrgFixture) -> None:
    personal = {"Íñigo", "Iñaki", "Núñez", "inigo@example.es", "inaki@example.es",
                "+34612345678", "+34699000111", "Gran Vía", "Calle Mayor", "1990-05-17",
                "Allergic", "terrace", "Bodegas Núñez", "EXT-42", "guest@example.es",
                "Invitado"}
    customer = await add(gql, notes="Allergic to nuts", birthday="1990-05-17",
                         companyName="Bodegas Núñez", externalId="EXT-42")
    await mutate(gql, UPDATE, "updateCustomer", {
        "id": customer, "firstName": "Iñaki", "email": "inaki@example.es",
        "phone": "699 000 111", "address": {"line1": "Calle Mayor 5", "city": "Madrid"},
        "notes": "Likes the terrace", "riskLevel": "LOW"})
    guest = (await record(gql, order_input(org, customer={
        "email": "guest@example.es", "firstName": "Invitado"})))["order"]["customer"]["id"]
    await mutate(gql, UPDATE, "updateCustomer", {"id": customer, "email": None})
    await mutate(gql, MERGE, "mergeCustomers", {"targetId": customer, "sourceIds": [guest]})
    other = await add(gql, firstName="Marta", email="marta@example.es", phone="611 222 333")

    async def payload_text(customer_id: str) -> str:
        async with org.db.admin_session() as session:
            payloads = await session.scalars(select(DomainEvent.payload).where(
                DomainEvent.customer_id == pk(customer_id)))
            return json.dumps(list(payloads), ensure_ascii=False)

    before = await payload_text(customer)
    assert all(value in before for value in personal)  # the log had them all
    await mutate(gql, ERASE, "eraseCustomer", {"customerId": customer})

    after = await payload_text(customer)
    assert [value for value in personal if value in after] == []
    assert "marta@example.es" in await payload_text(other)  # another customer's log stays

    entries = (await activity(gql, customer, first=50))["nodes"]
    assert [e["kind"] for e in entries] == [
        "CUSTOMER_ERASED", "CUSTOMER_MERGED", "CUSTOMER_UPDATED", "ORDER_RECORDED",
        "LOYALTY_POINTS_CHANGED", "CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_CREATED"]
    merged, _, _, _, guest_created, update, created = entries[1:]
    assert merged["summary"] == "Merged 1 customer into this one"
    assert {c["field"]: (c["from"], c["to"], c["redacted"]) for c in merged["changes"]} == {
        "email": (None, None, True)}
    assert {c["field"]: (c["from"], c["to"], c["redacted"]) for c in update["changes"]} == {
        "firstName": (None, None, True), "email": (None, None, True),
        "phone": (None, None, True), "addresses": (None, None, True),
        "notes": (None, None, True), "riskLevel": (None, "LOW", False)}
    assert update["summary"] == "Updated first name, email, phone, notes, risk level and addresses"
    assert {c["field"] for c in created["changes"] if c["redacted"]} == {
        "firstName", "lastName", "email", "phone", "addresses", "notes", "birthday",
        "companyName", "externalId"}
    assert all(c["redacted"] for c in guest_created["changes"])


async def test_activity_pages_newest_first_by_cursor(gql, org: OrgFixture) -> None:
    customer = await add(gql)
    for n in range(6):
        await mutate(gql, UPDATE, "updateCustomer", {"id": customer, "companyName": f"Co {n}"})

    seen: list[str] = []
    after = None
    pages = []
    while True:
        page = await activity(gql, customer, first=3, after=after)
        pages.append(len(page["nodes"]))
        seen += [e["id"] for e in page["nodes"]]
        assert page["totalCount"] == 7
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert pages == [3, 3, 1]
    assert len(set(seen)) == 7
    assert [pk(i) for i in seen] == sorted((pk(i) for i in seen), reverse=True)
    full = await activity(gql, customer)
    assert [e["id"] for e in full["nodes"]] == seen
    assert [changes(e)["companyName"][1] for e in full["nodes"][:6]] == [
        f"Co {n}" for n in reversed(range(6))]

    errors = await gql.errors(ACTIVITY, {"id": customer, "after": "bm90LWEtY3Vyc29y"})
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"
    orders_cursor = base64.urlsafe_b64encode(b'["orders:newest",[1]]').decode().rstrip("=")
    errors = await gql.errors(ACTIVITY, {"id": customer, "after": orders_cursor})
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"
    errors = await gql.errors(ACTIVITY, {"id": customer, "first": 251})
    assert errors[0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"


PAGE = """query($first: Int) { customers(first: $first) { nodes { id
  activity(first: 2) { totalCount pageInfo { hasNextPage }
    nodes { kind summary actor { kind id name } changes { field from to } } } } } }"""


async def statements_for(gql, sql_counter, first: int) -> int:
    before = sql_counter.count
    nodes = (await gql.data(PAGE, {"first": first}))["customers"]["nodes"]
    assert len(nodes) == first
    for node in nodes:
        log = node["activity"]
        assert log["totalCount"] == 3
        assert log["pageInfo"]["hasNextPage"]
        assert [e["actor"]["name"] for e in log["nodes"]] == ["system", "tests"]
    return sql_counter.count - before


async def test_a_page_of_customers_reads_its_activity_in_a_fixed_number_of_statements(
        gql, org: OrgFixture, as_actor, sql_counter) -> None:
    manager = await as_actor(staff(org))
    system = await as_actor(Actor.system(org.id))
    for n in range(30):
        customer = await add(manager, email=f"c{n}@example.es", phone=f"+34 611 000 {n:03d}",
                             mainStoreId=gid("Store", org.store_ids[0]))  # a manager names it
        await mutate(gql, UPDATE, "updateCustomer", {"id": customer, "notes": f"n{n}"})
        await mutate(system, UPDATE, "updateCustomer", {"id": customer, "riskLevel": "LOW"})

    await gql.data("{ stores { id } }")  # resolves (and caches) the API key first
    small = await statements_for(gql, sql_counter, 3)
    large = await statements_for(gql, sql_counter, 30)
    assert small == large, sql_counter.statements[-large:]
    # list, events, names of the keys that acted, counts.
    assert large == 4


async def test_another_organization_never_reaches_the_events(gql, org: OrgFixture, db,
                                                             client) -> None:
    customer = await add(gql)
    await mutate(gql, UPDATE, "updateCustomer", {"id": customer, "notes": "secret"})
    theirs = await create_organization(db)
    their_gql = GraphQL(client, theirs.api_key)
    their_customer = await add(their_gql)

    assert (await their_gql.data(ACTIVITY, {"id": customer}))["customer"] is None
    async with db.read_sessions(info=session_info(theirs.id)) as session:
        found = await events_of_customers(session, [pk(customer), pk(their_customer)], 10)
        counts = await count_events_of_customers(session, [pk(customer)])
    assert set(found) == {pk(their_customer)}
    assert counts == {}
    # Their own customer's log names their key, never ours.
    log = await activity(their_gql, their_customer)
    assert [e["actor"]["id"] for e in log["nodes"]] == [gid("ApiKey", await key_id(theirs))]


VIEW = """query($id: ID!) { customer(id: $id) { activity { nodes {
  changes { field from to redacted } } } } }"""


async def test_viewers_read_the_activity_with_notes_withheld_unless_granted(
        gql, org: OrgFixture, as_actor) -> None:
    customer = await add(gql, notes="Allergic to nuts")
    viewer = await as_actor(staff(org, StaffRole.VIEWER))
    granted = await as_actor(staff(org, StaffRole.VIEWER, grants=frozenset({"notes"})))

    def notes(data: dict[str, Any]) -> list[Any]:
        entry = data["customer"]["activity"]["nodes"][0]
        return [(c["from"], c["to"], c["redacted"]) for c in entry["changes"]
                if c["field"] in ("notes", "email")]

    assert notes(await viewer.data(VIEW, {"id": customer})) == [
        (None, "inigo@example.es", False), (None, None, True)]
    assert notes(await granted.data(VIEW, {"id": customer})) == [
        (None, "inigo@example.es", False), (None, "Allergic to nuts", False)]


async def test_long_text_is_cut_in_the_log(gql, org: OrgFixture) -> None:
    customer = await add(gql)
    await mutate(gql, UPDATE, "updateCustomer", {"id": customer, "notes": "x" * 4000})
    entry = (await activity(gql, customer, first=1))["nodes"][0]
    assert changes(entry)["notes"] == (None, "x" * (MAX_TEXT - 1) + "…")


def test_every_event_kind_has_a_summary() -> None:
    assert set(SUMMARIES) == set(EventKind)


async def test_events_of_an_unknown_kind_are_refused(db, org: OrgFixture) -> None:
    actor = Actor.system(org.id)
    async with db.admin_session() as session:
        assert record_event(session, actor, "customer.signed_in", None).kind == (
            EventKind.CUSTOMER_SIGNED_IN.value)
        with pytest.raises(ValueError, match=r"customer\.teleported"):
            record_event(session, actor, "customer.teleported", None)
        await session.rollback()
