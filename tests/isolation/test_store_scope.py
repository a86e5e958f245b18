"""A MANAGER reaches the customers linked to their stores (main store, or ordered there) and what
belongs to them, through every read path; every write on another customer is NOT_FOUND, as for
one that does not exist, and changes nothing; managers add customers and record and change
orders only at their own stores."""

import base64
from dataclasses import dataclass
from typing import Any

import pytest

from models.core.actors import Actor
from models.core.enums import ActorKind, CustomerType, StaffRole

from clients import ActorGraphQL
from factories import OrgFixture
from snapshots import organization_state

LIST = """query($filter: CustomerFilter) {
  customers(filter: $filter, first: 20) { totalCount nodes { id
    orders(first: 5) { totalCount nodes { id store { code } items { name } } }
    stores { code } addresses { line1 } loyalty { pointsBalance } loyaltyLedger { points }
    consentHistory { subscribed } } }
  customerStats(filter: $filter) { total registered guests bySource { count } } }"""
BY_ID = "query($id: ID!) { customer(id: $id) { id } node(id: $id) { id } }"
ORDER_BY_ID = """query($id: ID!) { node(id: $id) { id ... on Order { store { code }
  customer { id } items { name } } } }"""

ADD = """mutation($input: AddCustomerInput!) { addCustomer(input: $input) {
  customer { id mainStore { code } } userErrors { field code message existingCustomerId } } }"""
UPDATE = """mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
  customer { id notes mainStore { code } } userErrors { field code message } } }"""
CONSENT = """mutation($input: SetConsentInput!) { setConsent(input: $input) {
  customer { id } userErrors { field code message } } }"""
REGISTER = """mutation($input: RegisterGuestInput!) { registerGuest(input: $input) {
  customer { id } userErrors { field code message } } }"""
MERGE = """mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
  customer { id orderSummary { totalOrders } stores { code } }
  userErrors { field code message } } }"""
ERASE = """mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) {
  customer { id } userErrors { field code message } } }"""
POINTS = """mutation($input: AdjustLoyaltyPointsInput!) { adjustLoyaltyPoints(input: $input) {
  customer { id } userErrors { field code message } } }"""
RECORD = """mutation($input: RecordOrderInput!) { recordOrder(input: $input) {
  created order { id store { code } customer { id stores { code } } }
  userErrors { field code message } } }"""
STATUS = """mutation($input: UpdateOrderStatusInput!) { updateOrderStatus(input: $input) {
  changed order { id status customer { id } } userErrors { field code message } } }"""

NOWHERE = 10**9  # an ID that no customer or order has


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


@dataclass
class Shop:
    org: OrgFixture
    a: int  # store ids: MAD, BCN, VLC
    b: int
    c: int
    a_main: int  # registered at A, never ordered
    a_ordered: int  # registered at C, ordered at A and at C
    a_order: int
    c_order: int
    b_main: int  # registered at B and ordered there
    b_order: int
    b_guest: int  # a guest who ordered at B
    b_guest_order: int
    nowhere: int  # no main store, no orders: only an owner sees them
    owner: ActorGraphQL
    manager_a: ActorGraphQL
    manager_b: ActorGraphQL
    manager_ab: ActorGraphQL

    def ids(self, *customers: int) -> set[str]:
        return {gid("Customer", c) for c in customers}


@pytest.fixture
async def shop(org: OrgFixture, as_actor: Any) -> Shop:
    a, b, c = org.store_ids
    a_main = await org.customer(first_name="Ana", main_store_id=a, addresses=1,
                                membership_id="LOY-A")
    a_ordered = await org.customer(first_name="Carla", main_store_id=c)
    a_order = await org.order(a_ordered, store_id=a, points=10)
    c_order = await org.order(a_ordered, store_id=c, points=5)
    b_main = await org.customer(first_name="Bea", main_store_id=b, email="bea@example.es",
                                phone_e164="+34611222333", notes="VIP at BCN", addresses=1)
    b_order = await org.order(b_main, store_id=b, points=40)
    b_guest = await org.customer(type=CustomerType.GUEST, registered_at=None, first_name=None,
                                 last_name=None, email="guest.b@example.es")
    b_guest_order = await org.order(b_guest, store_id=b)
    nowhere = await org.customer(first_name="Nadie")

    def staff(role: StaffRole, *stores: int) -> Actor:
        return Actor(organization_id=org.id, kind=ActorKind.STAFF_USER, id=f"{role.value}{stores}",
                     role=role, store_ids=frozenset(stores))

    return Shop(org, a, b, c, a_main, a_ordered, a_order, c_order, b_main, b_order, b_guest,
                b_guest_order, nowhere, await as_actor(staff(StaffRole.OWNER)),
                await as_actor(staff(StaffRole.MANAGER, a)),
                await as_actor(staff(StaffRole.MANAGER, b)),
                await as_actor(staff(StaffRole.MANAGER, a, b)))


async def listing(gql: ActorGraphQL, filter: dict[str, Any] | None = None) -> dict[str, Any]:
    return await gql.data(LIST, {"filter": filter})


async def test_the_list_count_and_stats_hold_only_the_managers_customers(shop: Shop) -> None:
    for gql, expected in ((shop.manager_a, shop.ids(shop.a_main, shop.a_ordered)),
                          (shop.manager_b, shop.ids(shop.b_main, shop.b_guest)),
                          (shop.manager_ab, shop.ids(shop.a_main, shop.a_ordered, shop.b_main,
                                                     shop.b_guest)),
                          (shop.owner, shop.ids(shop.a_main, shop.a_ordered, shop.b_main,
                                                shop.b_guest, shop.nowhere))):
        data = await listing(gql)
        assert {n["id"] for n in data["customers"]["nodes"]} == expected
        assert data["customers"]["totalCount"] == len(expected)
        assert data["customerStats"]["total"] == len(expected)
        assert sum(s["count"] for s in data["customerStats"]["bySource"]) == len(expected)


async def test_a_visible_customer_comes_with_all_their_orders_and_records(shop: Shop) -> None:
    """Every order of a customer the manager sees, wherever placed (models/core/store_scope.py)."""
    nodes = {n["id"]: n for n in (await listing(shop.manager_a))["customers"]["nodes"]}
    carla = nodes[gid("Customer", shop.a_ordered)]
    assert carla["orders"]["totalCount"] == 2
    assert {o["store"]["code"] for o in carla["orders"]["nodes"]} == {"MAD", "VLC"}
    assert all(o["items"] for o in carla["orders"]["nodes"])
    assert {s["code"] for s in carla["stores"]} == {"MAD", "VLC"}
    assert sorted(e["points"] for e in carla["loyaltyLedger"]) == [5, 10]
    ana = nodes[gid("Customer", shop.a_main)]
    assert ana["addresses"] == [{"line1": "Calle 1"}]
    assert ana["loyalty"] == {"pointsBalance": 0}


@pytest.mark.parametrize("filter", [
    {"ids": ["B"]}, {"storeIds": ["store B"]}, {"mainStoreIds": ["store B"]},
    {"search": "bea@example.es"}, {"phone": "611222333"}, {"name": "bea"},
    {"types": ["GUEST"]},
])
async def test_no_filter_widens_the_scope(shop: Shop, filter: dict[str, Any]) -> None:
    replace = {"B": gid("Customer", shop.b_main), "store B": gid("Store", shop.b)}
    filter = {k: [replace.get(v, v) for v in vs] if isinstance(vs, list) else vs
              for k, vs in filter.items()}
    data = await listing(shop.manager_a, filter)
    assert data["customers"] == {"totalCount": 0, "nodes": []}
    assert data["customerStats"]["total"] == 0
    assert (await listing(shop.owner, filter))["customers"]["totalCount"] >= 1


async def test_customer_and_node_by_id(shop: Shop) -> None:
    gql = shop.manager_a
    for hidden in (shop.b_main, shop.b_guest, shop.nowhere, NOWHERE):
        assert await gql.data(BY_ID, {"id": gid("Customer", hidden)}) == {
            "customer": None, "node": None}
    mine = gid("Customer", shop.a_ordered)
    assert await gql.data(BY_ID, {"id": mine}) == {"customer": {"id": mine}, "node": {"id": mine}}
    for hidden in (shop.b_order, shop.b_guest_order):
        assert (await gql.data(ORDER_BY_ID, {"id": gid("Order", hidden)}))["node"] is None
    placed_elsewhere = (await gql.data(ORDER_BY_ID, {"id": gid("Order", shop.c_order)}))["node"]
    assert placed_elsewhere["customer"] == {"id": mine}
    assert placed_elsewhere["items"]
    # Stores are not limited: a profile names every store its customer ordered at.
    store = await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": gid("Store", shop.b)})
    assert store["node"] == {"id": gid("Store", shop.b)}


def customer_writes(shop: Shop, target: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(mutation, payload name, input) for every customer write on `target`."""
    customer = gid("Customer", target)
    return [
        (UPDATE, "updateCustomer", {"id": customer, "notes": "changed"}),
        (CONSENT, "setConsent", {"customerId": customer, "subscribed": True}),
        (REGISTER, "registerGuest", {"customerId": customer, "email": "new@example.es"}),
        (MERGE, "mergeCustomers", {"targetId": gid("Customer", shop.a_main),
                                   "sourceIds": [customer]}),
        (MERGE, "mergeCustomers", {"targetId": customer,
                                   "sourceIds": [gid("Customer", shop.a_main)]}),
        (ERASE, "eraseCustomer", {"customerId": customer}),
        (POINTS, "adjustLoyaltyPoints", {"customerId": customer, "points": 5,
                                         "kind": "ADJUST", "reason": "Goodwill"}),
    ]


async def errors_of(gql: ActorGraphQL, mutation: str, name: str, input: dict[str, Any]
                    ) -> list[dict[str, Any]]:
    payload = (await gql.data(mutation, {"input": input}))[name]
    assert payload.get("customer") is None, payload
    assert payload.get("order") is None, payload
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


@pytest.mark.parametrize("index", range(7))
async def test_a_write_on_another_stores_customer_is_not_found_and_changes_nothing(
        shop: Shop, index: int) -> None:
    hidden = customer_writes(shop, shop.b_guest)[index]
    missing = customer_writes(shop, NOWHERE)[index]
    before = await organization_state(shop.org.db, shop.org.id)
    refused = await errors_of(shop.manager_a, *hidden)
    assert await organization_state(shop.org.db, shop.org.id) == before
    assert [e["code"] for e in refused] == ["NOT_FOUND"]
    # Word for word what a customer that does not exist gets: existence does not leak.
    assert refused == await errors_of(shop.manager_a, *missing)


async def test_the_managers_own_customers_can_be_written(shop: Shop) -> None:
    for mutation, name, input in customer_writes(shop, shop.a_ordered):
        if name in ("registerGuest", "eraseCustomer", "mergeCustomers"):
            continue  # a registered customer; erasing and merging are covered below
        payload = (await shop.manager_a.data(mutation, {"input": input}))[name]
        assert payload["userErrors"] == [], (name, payload)
    merged = (await shop.manager_a.data(MERGE, {"input": {
        "targetId": gid("Customer", shop.a_main),
        "sourceIds": [gid("Customer", shop.a_ordered)]}}))["mergeCustomers"]
    assert merged["userErrors"] == []
    assert merged["customer"]["orderSummary"] == {"totalOrders": 2}


async def test_order_status_out_of_scope(shop: Shop) -> None:
    gql = shop.manager_a
    before = await organization_state(shop.org.db, shop.org.id)
    hidden = await errors_of(gql, STATUS, "updateOrderStatus",
                             {"orderId": gid("Order", shop.b_order), "status": "CANCELLED"})
    missing = await errors_of(gql, STATUS, "updateOrderStatus",
                              {"orderId": gid("Order", NOWHERE), "status": "CANCELLED"})
    assert hidden == missing
    assert [e["code"] for e in hidden] == ["NOT_FOUND"]
    # An order of a customer they share, placed at another store, is that store's to change.
    elsewhere = await errors_of(gql, STATUS, "updateOrderStatus",
                                {"orderId": gid("Order", shop.c_order), "status": "CANCELLED"})
    assert [(e["field"], e["code"]) for e in elsewhere] == [(["input", "orderId"],
                                                            "OUT_OF_SCOPE")]
    assert await organization_state(shop.org.db, shop.org.id) == before


async def test_cancelling_the_only_order_at_the_store_keeps_the_order_in_sight(
        shop: Shop) -> None:
    """Carla (registered at VLC) leaves store A's customers when her A order is cancelled; the
    order itself, placed at A, stays in the manager's sight."""
    payload = (await shop.manager_a.data(STATUS, {"input": {
        "orderId": gid("Order", shop.a_order), "status": "CANCELLED"}}))["updateOrderStatus"]
    assert payload["userErrors"] == []
    assert payload["order"]["status"] == "CANCELLED"
    assert payload["order"]["customer"] is None
    listed = (await listing(shop.manager_a))["customers"]["nodes"]
    assert {n["id"] for n in listed} == shop.ids(shop.a_main)
    order = (await shop.manager_a.data(ORDER_BY_ID, {"id": gid("Order", shop.a_order)}))["node"]
    assert order["store"] == {"code": "MAD"}
    assert order["customer"] is None
    owner_view = await shop.owner.data(
        "query($id: ID!) { customer(id: $id) { orderSummary { totalOrders } "
        "loyaltyLedger { points } stores { code } } }", {"id": gid("Customer", shop.a_ordered)})
    # The aggregates were recomputed from all of Carla's orders, not from the scope's view.
    customer = owner_view["customer"]
    assert customer["orderSummary"] == {"totalOrders": 1}
    assert customer["stores"] == [{"code": "VLC"}]
    assert sorted(e["points"] for e in customer["loyaltyLedger"]) == [-10, 5, 10]


def new_customer(**overrides: Any) -> dict[str, Any]:
    return {"firstName": "Íñigo", "lastName": "Núñez", "email": "inigo@example.es",
            "phone": "612 34 56 78", "address": {"line1": "Gran Vía 1", "city": "Madrid"},
            **overrides}


async def test_add_customer_puts_the_customer_in_the_managers_stores(shop: Shop) -> None:
    one_store = (await shop.manager_a.data(ADD, {"input": new_customer()}))["addCustomer"]
    assert one_store["userErrors"] == []
    assert one_store["customer"]["mainStore"] == {"code": "MAD"}

    before = await organization_state(shop.org.db, shop.org.id)
    two_stores = await errors_of(shop.manager_ab, ADD, "addCustomer",
                                 new_customer(email="x@example.es", phone="612000111"))
    assert [(e["field"], e["code"]) for e in two_stores] == [(["input", "mainStoreId"],
                                                             "REQUIRED")]
    other_store = await errors_of(shop.manager_a, ADD, "addCustomer", new_customer(
        email="x@example.es", phone="612000111", mainStoreId=gid("Store", shop.c)))
    assert [(e["field"], e["code"]) for e in other_store] == [(["input", "mainStoreId"],
                                                              "OUT_OF_SCOPE")]
    assert await organization_state(shop.org.db, shop.org.id) == before

    chosen = (await shop.manager_ab.data(ADD, {"input": new_customer(
        email="x@example.es", phone="612000111", mainStoreId=gid("Store", shop.b))}))
    assert chosen["addCustomer"]["customer"]["mainStore"] == {"code": "BCN"}


async def test_a_duplicate_held_outside_the_scope_is_neither_named_nor_linked(
        shop: Shop) -> None:
    errors = await errors_of(shop.manager_a, ADD, "addCustomer",
                             new_customer(email="bea@example.es"))
    assert [(e["field"], e["code"], e["existingCustomerId"]) for e in errors] == [
        (["input", "email"], "DUPLICATE", None)]
    assert "Bea" not in errors[0]["message"]
    owners = await errors_of(shop.owner, ADD, "addCustomer", new_customer(email="bea@example.es"))
    assert owners[0]["existingCustomerId"] == gid("Customer", shop.b_main)


async def test_a_manager_moves_main_stores_only_among_their_stores(shop: Shop) -> None:
    before = await organization_state(shop.org.db, shop.org.id)
    away = await errors_of(shop.manager_a, UPDATE, "updateCustomer", {
        "id": gid("Customer", shop.a_main), "mainStoreId": gid("Store", shop.c)})
    taken = await errors_of(shop.manager_a, UPDATE, "updateCustomer", {
        "id": gid("Customer", shop.a_ordered), "mainStoreId": gid("Store", shop.a)})
    assert [e["code"] for e in away + taken] == ["OUT_OF_SCOPE", "OUT_OF_SCOPE"]
    assert await organization_state(shop.org.db, shop.org.id) == before
    # A form that sends the main store as it is still saves.
    same = (await shop.manager_a.data(UPDATE, {"input": {
        "id": gid("Customer", shop.a_ordered), "mainStoreId": gid("Store", shop.c),
        "notes": "likes the terrace"}}))["updateCustomer"]
    assert same["userErrors"] == []
    assert same["customer"]["notes"] == "likes the terrace"
    moved = (await shop.manager_ab.data(UPDATE, {"input": {
        "id": gid("Customer", shop.a_main), "mainStoreId": gid("Store", shop.b)}}))
    assert moved["updateCustomer"]["customer"]["mainStore"] == {"code": "BCN"}


def order_at(store: int | None, **overrides: Any) -> dict[str, Any]:
    order: dict[str, Any] = {"channel": "POS", "customer": {"email": "walk.in@example.es"},
                             "items": [{"name": "Café", "quantity": 1, "unitPrice": "2.50"}],
                             **overrides}
    if store is not None:
        order["storeId"] = gid("Store", store)
    return order


async def test_record_order_only_at_the_managers_stores(shop: Shop) -> None:
    before = await organization_state(shop.org.db, shop.org.id)
    cases = [
        (shop.manager_a, order_at(shop.b), "storeId", "OUT_OF_SCOPE"),
        (shop.manager_ab, order_at(None), "storeId", "REQUIRED"),
        (shop.manager_a, order_at(shop.a, customerId=gid("Customer", shop.b_main),
                                  customer=None), "customerId", "NOT_FOUND"),
    ]
    for gql, input, field, code in cases:
        errors = await errors_of(gql, RECORD, "recordOrder", input)
        assert [(e["field"], e["code"]) for e in errors] == [(["input", field], code)], input
    assert await organization_state(shop.org.db, shop.org.id) == before

    defaulted = (await shop.manager_a.data(RECORD, {"input": order_at(None)}))["recordOrder"]
    assert defaulted["userErrors"] == []
    assert defaulted["order"]["store"] == {"code": "MAD"}


async def test_an_order_at_the_till_finds_the_customer_in_the_whole_organization(
        shop: Shop) -> None:
    """Bea (store B) orders at store A giving her email: the order is hers, and from then on
    she is one of store A's customers."""
    payload = (await shop.manager_a.data(RECORD, {"input": order_at(
        shop.a, customer={"email": "bea@example.es"}, externalId="TILL-1")}))["recordOrder"]
    assert payload["userErrors"] == []
    assert payload["order"]["customer"]["id"] == gid("Customer", shop.b_main)
    assert {s["code"] for s in payload["order"]["customer"]["stores"]} == {"MAD", "BCN"}
    profile = await shop.owner.data("query($id: ID!) { customer(id: $id) { orderSummary { "
                                    "totalOrders } loyalty { pointsBalance } } }",
                                    {"id": gid("Customer", shop.b_main)})
    assert profile["customer"] == {"orderSummary": {"totalOrders": 2},
                                   "loyalty": {"pointsBalance": 42}}


async def test_an_external_id_recorded_elsewhere_is_not_handed_out(shop: Shop) -> None:
    at_b = (await shop.owner.data(RECORD, {"input": order_at(
        shop.b, externalId="GLOVO-1", customer={"email": "guest.b@example.es"})}))
    assert at_b["recordOrder"]["created"] is True
    before = await organization_state(shop.org.db, shop.org.id)
    errors = await errors_of(shop.manager_a, RECORD, "recordOrder",
                             order_at(shop.a, externalId="GLOVO-1"))
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "externalId"], "DUPLICATE")]
    assert await organization_state(shop.org.db, shop.org.id) == before
    again = (await shop.manager_b.data(RECORD, {"input": order_at(
        shop.b, externalId="GLOVO-1")}))["recordOrder"]
    assert (again["created"], again["order"]["id"]) == (False, at_b["recordOrder"]["order"]["id"])


async def test_a_manager_signed_in_over_http_is_held_to_their_stores(shop: Shop,
                                                                     staff_gql) -> None:
    """The whole path: sign-in, the access token, the actor's stores, the scoped sessions."""
    manager = await staff_gql(StaffRole.MANAGER, stores=[shop.b])
    data = await manager.data(LIST)
    assert {n["id"] for n in data["customers"]["nodes"]} == shop.ids(shop.b_main, shop.b_guest)
    assert data["customers"]["totalCount"] == 2
    assert await manager.data(BY_ID, {"id": gid("Customer", shop.a_main)}) == {
        "customer": None, "node": None}
