"""`me`, `updateMe` and `setMyConsent`: a signed-in customer reads and changes only themself,
sees nothing of the merchant's internal fields, and is recorded as the one who acted."""

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from models.access.codes import issue_code
from models.core.actors import Actor
from models.core.enums import ActorKind, RegistrationStrategy, RiskLevel, ShopperLevel
from models.core.events import DomainEvent
from models.core.tenancy import session_info
from models.customers.table import Customer
from models.organizations.table import Organization
from resolvers.schema import schema

from factories import OrgFixture
from snapshots import organization_state

ME = """{ me { id firstName lastName fullName email phone { e164 } birthday registeredAt
  addresses { line1 city }
  marketingConsent { subscribed source }
  consentHistory { subscribed source actorKind }
  loyalty { provider membershipId pointsBalance pointsEarned }
  orderSummary { totalOrders totalSpent { amount currency } }
  orders(first: 10) { totalCount pageInfo { hasNextPage }
    nodes { id number status total { amount } store { code } items { name quantity } } } } }"""
UPDATE_ME = """mutation($input: UpdateMeInput!) { updateMe(input: $input) {
  me { id firstName lastName email phone { e164 } birthday addresses { line1 } }
  userErrors { field code message existingCustomerId } } }"""
SET_MY_CONSENT = """mutation($input: SetMyConsentInput!) { setMyConsent(input: $input) {
  changed me { marketingConsent { subscribed source }
               consentHistory { subscribed source actorKind } }
  userErrors { field code message } } }"""

AsActor = Callable[[Actor], Awaitable[Any]]


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def customer_actor(org: OrgFixture, customer_id: int) -> Actor:
    return Actor(organization_id=org.id, kind=ActorKind.CUSTOMER, id=str(customer_id),
                 customer_id=customer_id)


async def signed_in(as_actor: AsActor, org: OrgFixture, customer_id: int) -> Any:
    return await as_actor(customer_actor(org, customer_id))


async def two_customers(org: OrgFixture) -> tuple[int, int]:
    a = await org.customer(first_name="Ana", last_name="Ruiz", email="ana@example.es",
                           phone_e164="+34612000001", membership_id="M-A", addresses=1,
                           notes="Complains a lot", risk_level=RiskLevel.HIGH,
                           shopper_level=ShopperLevel.VIP, external_id="EXT-A")
    b = await org.customer(first_name="Bea", last_name="Soto", email="bea@example.es",
                           phone_e164="+34612000002", membership_id="M-B")
    await org.order(a, store_id=org.store_ids[0], total=1250, points=12)
    await org.order(a, store_id=org.store_ids[1], total=800)
    await org.order(b, store_id=org.store_ids[2], total=9900, points=99)
    return a, b


async def test_me_shows_own_profile_orders_and_loyalty(org: OrgFixture, as_actor: AsActor
                                                       ) -> None:
    a, _ = await two_customers(org)
    me = (await (await signed_in(as_actor, org, a)).data(ME))["me"]
    assert me["id"] == gid("Customer", a)
    assert (me["fullName"], me["email"], me["phone"]) == (
        "Ana Ruiz", "ana@example.es", {"e164": "+34612000001"})
    assert me["addresses"] == [{"line1": "Calle 1", "city": "Madrid"}]
    assert me["loyalty"] == {"provider": "customerhub", "membershipId": "M-A",
                             "pointsBalance": 12, "pointsEarned": 12}
    assert me["orderSummary"] == {"totalOrders": 2,
                                  "totalSpent": {"amount": "20.50", "currency": "EUR"}}
    orders = me["orders"]
    assert orders["totalCount"] == 2
    assert sorted(o["store"]["code"] for o in orders["nodes"]) == ["BCN", "MAD"]
    assert all(len(o["items"]) == 2 for o in orders["nodes"])


async def test_me_of_a_never_shows_b(org: OrgFixture, as_actor: AsActor) -> None:
    a, b = await two_customers(org)
    seen_by_a = json.dumps(await (await signed_in(as_actor, org, a)).data(ME))
    seen_by_b = json.dumps(await (await signed_in(as_actor, org, b)).data(ME))
    for leak in ("bea@example.es", "Soto", "M-B", "99.00", "VLC", gid("Customer", b)):
        assert leak not in seen_by_a
    for leak in ("ana@example.es", "Ruiz", "M-A", "12.50", "MAD", gid("Customer", a)):
        assert leak not in seen_by_b


def test_my_profile_shows_none_of_the_merchants_internal_fields() -> None:
    def fields(type_name: str) -> set[str]:
        definition = schema.get_type_by_name(type_name)
        assert definition is not None
        return {f.graphql_name or f.python_name for f in definition.fields}  # type: ignore[union-attr]

    internal = {"notes", "riskLevel", "shopperLevel", "externalId", "taxExempt",
                "ageRestrictedAllowed", "companyName", "loyaltyLedger", "stores", "mainStore",
                "source", "erasedAt", "lastAccessAt", "customer"}
    assert not fields("MyProfile") & internal
    assert not fields("MyOrder") & internal
    # What a customer's profile answers with never leads back to the staff types.
    reachable, stack = set(), ["MyProfile"]
    while stack:
        name = stack.pop()
        if name in reachable:
            continue
        reachable.add(name)
        definition = schema._schema.get_type(name)
        for field in getattr(definition, "fields", {}).values():
            named = field.type
            while hasattr(named, "of_type"):
                named = named.of_type
            stack.append(named.name)
    assert not reachable & {"Customer", "Order", "LoyaltyLedgerEntry", "Organization"}


async def test_me_asking_for_internal_fields_is_invalid(org: OrgFixture, as_actor: AsActor
                                                        ) -> None:
    a, _ = await two_customers(org)
    errors = await (await signed_in(as_actor, org, a)).errors("{ me { notes riskLevel } }")
    assert "Cannot query field 'notes' on type 'MyProfile'" in errors[0]["message"]


async def test_me_follows_a_merge(org: OrgFixture, as_actor: AsActor, owner_gql: Any) -> None:
    a, b = await two_customers(org)
    merged = await owner_gql.data(
        """mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
           userErrors { code } } }""",
        {"input": {"targetId": gid("Customer", b), "sourceIds": [gid("Customer", a)]}})
    assert merged["mergeCustomers"]["userErrors"] == []
    client = await signed_in(as_actor, org, a)
    me = (await client.data(ME))["me"]
    assert me["id"] == gid("Customer", b)
    assert me["orders"]["totalCount"] == 3
    changed = (await client.data(UPDATE_ME, {"input": {"firstName": "Beatriz"}}))["updateMe"]
    assert changed["me"]["id"] == gid("Customer", b)
    assert changed["me"]["firstName"] == "Beatriz"
    event = await last_event(org)
    assert (event.kind, event.customer_id, event.actor_kind, event.actor_id) == (
        "customer.updated", b, ActorKind.CUSTOMER, str(b))


@pytest.mark.parametrize("operation", [
    ME,
    'mutation { updateMe(input: {firstName: "X"}) { userErrors { code } } }',
    "mutation { setMyConsent(input: {subscribed: true, channel: WEB}) { changed } }",
])
async def test_an_erased_customers_session_is_dead(org: OrgFixture, as_actor: AsActor,
                                                   owner_gql: Any, operation: str) -> None:
    a, _ = await two_customers(org)
    erased = await owner_gql.data(
        """mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) {
           userErrors { code } } }""", {"input": {"customerId": gid("Customer", a)}})
    assert erased["eraseCustomer"]["userErrors"] == []
    before = await organization_state(org.db, org.id)
    errors = await (await signed_in(as_actor, org, a)).errors(operation)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await organization_state(org.db, org.id) == before


async def test_a_customer_of_another_organization_is_not_found(
        org: OrgFixture, as_actor: AsActor, db: Any) -> None:
    from factories import create_organization

    other = await create_organization(db)
    stranger = await other.customer()
    # A token is bound to its organization; a customer ID from another one resolves to nothing.
    errors = await (await signed_in(as_actor, org, stranger)).errors(ME)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def last_event(org: OrgFixture) -> DomainEvent:
    async with org.db.admin_session() as session:
        event = await session.scalar(select(DomainEvent).where(
            DomainEvent.organization_id == org.id).order_by(DomainEvent.id.desc()).limit(1))
        assert event is not None
        return event


async def customer_row(org: OrgFixture, customer_id: int) -> dict[str, Any]:
    async with org.db.admin_session() as session:
        row = await session.get(Customer, customer_id)
        assert row is not None
        return {c.key: getattr(row, c.key) for c in Customer.__table__.columns}


async def test_update_me_changes_only_the_fields_sent(org: OrgFixture, as_actor: AsActor
                                                      ) -> None:
    a, b = await two_customers(org)
    before, other_before = await customer_row(org, a), await customer_row(org, b)
    payload = (await (await signed_in(as_actor, org, a)).data(UPDATE_ME, {"input": {
        "firstName": " Anabel ", "phone": "699 11 22 33", "birthday": "1990-04-01",
        "addresses": [{"line1": "Gran Vía 1", "city": "Madrid"}]}}))["updateMe"]
    assert payload["userErrors"] == []
    assert payload["me"]["firstName"] == "Anabel"
    assert payload["me"]["phone"] == {"e164": "+34699112233"}
    assert payload["me"]["addresses"] == [{"line1": "Gran Vía 1"}]
    after = await customer_row(org, a)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"first_name", "phone_e164", "birthday", "updated_at", "sort_name",
                       "search_text"}
    assert (after["notes"], after["risk_level"], after["external_id"]) == (
        "Complains a lot", RiskLevel.HIGH, "EXT-A")
    assert await customer_row(org, b) == other_before
    event = await last_event(org)
    assert (event.kind, event.customer_id, event.actor_kind, event.actor_id) == (
        "customer.updated", a, ActorKind.CUSTOMER, str(a))
    assert sorted(event.payload["changed"]) == ["addresses", "birthday", "first_name",
                                                "phone_e164"]


@pytest.mark.parametrize("field", ["notes", "riskLevel", "externalId", "id", "taxExempt",
                                   "mainStoreId"])
async def test_update_me_has_no_input_for_the_merchants_fields(
        org: OrgFixture, as_actor: AsActor, field: str) -> None:
    a, _ = await two_customers(org)
    errors = await (await signed_in(as_actor, org, a)).errors(
        f'mutation {{ updateMe(input: {{{field}: "x"}}) {{ userErrors {{ code }} }} }}')
    assert f"'{field}'" in errors[0]["message"]


async def refused(client: Any, org: OrgFixture, mutation: str, input: dict[str, Any], name: str
                  ) -> list[dict[str, Any]]:
    before = await organization_state(org.db, org.id)
    payload = (await client.data(mutation, {"input": input}))[name]
    assert payload["userErrors"], payload
    assert payload["me"] is None
    assert await organization_state(org.db, org.id) == before
    return payload["userErrors"]


@pytest.mark.parametrize(("field", "taken"), [("email", "BEA@example.es"),
                                              ("phone", "612 00 00 02")])
async def test_update_me_cannot_take_another_customers_email_or_phone(
        org: OrgFixture, as_actor: AsActor, field: str, taken: str) -> None:
    a, _ = await two_customers(org)
    errors = await refused(await signed_in(as_actor, org, a), org, UPDATE_ME,
                           {field: taken, "firstName": "Ana María"}, "updateMe")
    assert [(e["field"], e["code"], e["existingCustomerId"]) for e in errors] == [
        (["input", field], "DUPLICATE", None)]
    # Who holds it is the merchant's business, not this customer's.
    assert "Bea" not in errors[0]["message"]
    assert "Soto" not in errors[0]["message"]


@pytest.mark.parametrize(("input", "field", "code"), [
    ({"email": "not-an-email"}, "email", "INVALID"),
    ({"phone": "12"}, "phone", "INVALID"),
    ({"firstName": "  "}, "firstName", "REQUIRED"),
    ({"birthday": "2999-01-01"}, "birthday", "INVALID"),
    ({"addresses": [{"line1": "Gran Vía 1"}]}, "addresses.0.city", "REQUIRED"),
    ({"email": None}, "email", "REQUIRED"),  # the organization signs in by email
])
async def test_update_me_refuses_bad_input_and_changes_nothing(
        org: OrgFixture, as_actor: AsActor, input: dict[str, Any], field: str, code: str
) -> None:
    a, _ = await two_customers(org)
    errors = await refused(await signed_in(as_actor, org, a), org, UPDATE_ME, input,
                           "updateMe")
    assert (["input", *field.split(".")], code) in [(e["field"], e["code"]) for e in errors]


@pytest.mark.parametrize(("strategy", "input", "refused_field"), [
    (RegistrationStrategy.PHONE, {"phone": None}, "phone"),
    (RegistrationStrategy.PHONE, {"email": None}, None),
    (RegistrationStrategy.EMAIL_OR_PHONE, {"email": None}, None),
    (RegistrationStrategy.EMAIL_OR_PHONE, {"email": None, "phone": None}, "email"),
])
async def test_update_me_keeps_what_the_customer_signs_in_with(
        org: OrgFixture, as_actor: AsActor, strategy: RegistrationStrategy,
        input: dict[str, Any], refused_field: str | None) -> None:
    a, _ = await two_customers(org)
    await set_strategy(org, strategy)
    payload = (await (await signed_in(as_actor, org, a)).data(UPDATE_ME, {"input": input}))
    errors = payload["updateMe"]["userErrors"]
    if refused_field is None:
        assert errors == []
    else:
        assert [(e["field"], e["code"]) for e in errors] == [
            (["input", refused_field], "REQUIRED")]


async def code_sent_to(org: OrgFixture, destination: str) -> str:
    async with org.db.sessions(info=session_info(org.id)) as session:
        issued = await issue_code(session, org.id, destination)
        await session.commit()
    return issued.code


@pytest.mark.parametrize(("strategy", "input", "destination", "code_field"), [
    (RegistrationStrategy.EMAIL, {"email": "ana.new@example.es"}, "ana.new@example.es",
     "emailCode"),
    (RegistrationStrategy.EMAIL_OR_PHONE, {"phone": "699 11 22 33"}, "+34699112233", "code"),
    (RegistrationStrategy.PHONE, {"phone": "699 11 22 33"}, "+34699112233", "code"),
])
async def test_a_new_email_or_phone_to_sign_in_with_needs_its_code(
        org: OrgFixture, as_actor: AsActor, strategy: RegistrationStrategy,
        input: dict[str, Any], destination: str, code_field: str) -> None:
    a, _ = await two_customers(org)
    await set_strategy(org, strategy)
    client = await signed_in(as_actor, org, a)
    errors = await refused(client, org, UPDATE_ME, input, "updateMe")
    assert [(e["field"], e["code"]) for e in errors] == [(["input", code_field], "REQUIRED")]
    code = await code_sent_to(org, destination)
    wrong = "000000" if code != "000000" else "111111"
    payload = (await client.data(UPDATE_ME, {"input": {**input, code_field: wrong}}))["updateMe"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", code_field], "INVALID_CODE")]
    assert "4 tries left" in payload["userErrors"][0]["message"]  # the try was counted
    payload = (await client.data(UPDATE_ME, {"input": {**input, code_field: code}}))["updateMe"]
    assert payload["userErrors"] == []
    row = await customer_row(org, a)
    assert destination in (row["email"], row["phone_e164"])


async def test_a_bad_new_email_is_said_before_any_code_is_asked(org: OrgFixture,
                                                                as_actor: AsActor) -> None:
    a, _ = await two_customers(org)
    errors = await refused(await signed_in(as_actor, org, a), org, UPDATE_ME,
                           {"email": "not-an-email"}, "updateMe")
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "email"], "INVALID")]


async def test_the_same_email_again_needs_no_code(org: OrgFixture, as_actor: AsActor) -> None:
    a, _ = await two_customers(org)
    payload = (await (await signed_in(as_actor, org, a)).data(UPDATE_ME, {"input": {
        "email": " ANA@example.es ", "firstName": "Ana"}}))["updateMe"]
    assert payload["userErrors"] == []


async def set_strategy(org: OrgFixture, strategy: RegistrationStrategy) -> None:
    async with org.db.admin_session() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        row.registration_strategy = strategy
        await session.commit()


async def test_set_my_consent_records_the_customer_and_the_channel(
        org: OrgFixture, as_actor: AsActor) -> None:
    a, b = await two_customers(org)
    client = await signed_in(as_actor, org, a)
    payload = (await client.data(SET_MY_CONSENT, {"input": {
        "subscribed": True, "channel": "MOBILE_APP"}}))["setMyConsent"]
    assert payload["changed"] is True
    assert payload["me"]["marketingConsent"] == {"subscribed": True, "source": "MOBILE_APP"}
    assert payload["me"]["consentHistory"] == [
        {"subscribed": True, "source": "MOBILE_APP", "actorKind": "CUSTOMER"}]
    event = await last_event(org)
    assert (event.kind, event.customer_id, event.actor_kind, event.actor_id) == (
        "customer.consent_changed", a, ActorKind.CUSTOMER, str(a))
    again = (await client.data(SET_MY_CONSENT, {"input": {
        "subscribed": True, "channel": "WEB"}}))["setMyConsent"]
    assert again["changed"] is False
    assert len(again["me"]["consentHistory"]) == 1
    off = (await client.data(SET_MY_CONSENT, {"input": {
        "subscribed": False, "channel": "WEB"}}))["setMyConsent"]
    assert off["me"]["consentHistory"][-1] == {"subscribed": False, "source": "WEB",
                                               "actorKind": "CUSTOMER"}
    b_me = (await (await signed_in(as_actor, org, b)).data(ME))["me"]
    assert b_me["consentHistory"] == []
    assert b_me["marketingConsent"]["subscribed"] is False


@pytest.mark.parametrize("channel", ["POS", "ADMIN", "API"])
async def test_set_my_consent_takes_only_a_storefront_channel(
        org: OrgFixture, as_actor: AsActor, channel: str) -> None:
    a, _ = await two_customers(org)
    errors = await (await signed_in(as_actor, org, a)).errors(
        f"mutation {{ setMyConsent(input: {{subscribed: true, channel: {channel}}}) "
        "{ changed } }")
    assert "Device" in errors[0]["message"]


FORBIDDEN_TO_CUSTOMERS = [
    "{ customers { totalCount } }",
    '{ customer(id: "%(me)s") { notes } }',
    '{ node(id: "%(me)s") { id } }',
    "{ organization { name } }",
    "{ customerStats { total } }",
    "{ stores { name } }",
    'mutation { updateCustomer(input: {id: "%(me)s", notes: "x"}) { userErrors { code } } }',
    'mutation { setConsent(input: {customerId: "%(me)s", subscribed: true}) { changed } }',
    'mutation { addCustomer(input: {firstName: "x"}) { userErrors { code } } }',
    'mutation { eraseCustomer(input: {customerId: "%(other)s"}) { userErrors { code } } }',
    'mutation { adjustLoyaltyPoints(input: {customerId: "%(me)s", points: 1000, kind: ADJUST,'
    ' reason: "x"}) { userErrors { code } } }',
    "mutation { updateOrganizationSettings(input: {name: \"x\"}) { userErrors { code } } }",
]


@pytest.mark.parametrize("operation", FORBIDDEN_TO_CUSTOMERS)
async def test_a_customer_reaches_nothing_but_themself(
        org: OrgFixture, as_actor: AsActor, operation: str) -> None:
    a, b = await two_customers(org)
    before = await organization_state(org.db, org.id)
    body = await (await signed_in(as_actor, org, a)).post(
        operation % {"me": gid("Customer", a), "other": gid("Customer", b)})
    assert body["data"] is None or all(v is None for v in body["data"].values())
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await organization_state(org.db, org.id) == before


async def test_staff_and_keys_have_no_me(org: OrgFixture, owner_gql: Any) -> None:
    errors = await owner_gql.errors("{ me { id } }")
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
