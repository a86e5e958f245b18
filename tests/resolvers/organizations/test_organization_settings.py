"""`organization`, `updateOrganizationSettings` and `storefrontPolicy`: every setting reads back,
only the fields sent change, every user error changes nothing, and each storefront reads the
guest checkout setting of its own device."""

import base64
from typing import Any

import pytest
from sqlalchemy import select

from models.core.enums import StaffRole
from models.core.events import DomainEvent
from models.organizations.table import Organization

from clients import GraphQL, StaffUsers
from factories import OrgFixture, create_organization
from snapshots import organization_state

ORGANIZATION = """{ organization {
  id slug name defaultCountry currency timezone
  settings { guestCheckout { web mobileApp } registrationStrategy loyaltyEarnRate } } }"""
UPDATE = """mutation($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) {
    organization { id name defaultCountry timezone
      settings { guestCheckout { web mobileApp } registrationStrategy loyaltyEarnRate } }
    userErrors { field code message } } }"""
POLICY = """query($device: Device!) { storefrontPolicy(device: $device) {
  device guestCheckout guestsMayCheckOut guestsMayUseCart guestsSeePrices
  registrationStrategy } }"""

# Every setting sent at once, each away from the default.
EVERY_SETTING = {
    "guestCheckoutWeb": "DISABLED_CART_AVAILABLE",
    "guestCheckoutMobileApp": "DISABLED_CART_UNAVAILABLE_HIDE_PRICES",
    "registrationStrategy": "EMAIL_OR_PHONE",
    "defaultCountry": "PT",
    "loyaltyEarnRate": "2.5",
    "name": "Casa Lisboa",
    "timezone": "Europe/Lisbon",
}


@pytest.fixture
def gql(owner_gql: GraphQL) -> GraphQL:
    """Settings belong to owners: these tests act as one."""
    return owner_gql


def settings_view(data: dict[str, Any]) -> dict[str, Any]:
    """An `organization` answer in the input's names."""
    settings = data["settings"]
    return {
        "guestCheckoutWeb": settings["guestCheckout"]["web"],
        "guestCheckoutMobileApp": settings["guestCheckout"]["mobileApp"],
        "registrationStrategy": settings["registrationStrategy"],
        "defaultCountry": data["defaultCountry"],
        "loyaltyEarnRate": settings["loyaltyEarnRate"],
        "name": data["name"],
        "timezone": data["timezone"],
    }


async def organization_row(org: OrgFixture) -> tuple[Any, ...]:
    async with org.db.admin_session() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        return tuple(getattr(row, c.key) for c in Organization.__mapper__.column_attrs)


async def settings_events(org: OrgFixture) -> list[dict[str, Any]]:
    async with org.db.admin_session() as session:
        events = await session.scalars(select(DomainEvent).where(
            DomainEvent.organization_id == org.id,
            DomainEvent.kind == "organization.settings_updated").order_by(DomainEvent.id))
        return [e.payload for e in events]


async def update(gql: GraphQL, input: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.data(UPDATE, {"input": input}))[
        "updateOrganizationSettings"]
    assert payload["userErrors"] == [], payload
    return payload


async def refused(gql: GraphQL, org: OrgFixture, input: dict[str, Any]
                  ) -> list[dict[str, Any]]:
    """Send an update that must be refused; check it changed nothing; return its errors."""
    before = (await organization_state(org.db, org.id), await organization_row(org))
    payload = (await gql.data(UPDATE, {"input": input}))["updateOrganizationSettings"]
    after = (await organization_state(org.db, org.id), await organization_row(org))
    assert payload["userErrors"], payload
    assert payload["organization"] is None
    assert after == before
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


async def test_organization_is_the_callers(gql: GraphQL, org: OrgFixture) -> None:
    data = (await gql.data(ORGANIZATION))["organization"]
    assert data == {
        "id": base64.b64encode(f"Organization:{org.id}".encode()).decode(),
        "slug": org.slug, "name": data["name"], "defaultCountry": "ES", "currency": "EUR",
        "timezone": "Europe/Madrid",
        "settings": {"guestCheckout": {"web": "ENABLED", "mobileApp": "ENABLED"},
                     "registrationStrategy": "EMAIL", "loyaltyEarnRate": "1"},
    }
    assert data["name"].startswith("Org ")


async def test_every_setting_changes_and_reads_back(gql: GraphQL, org: OrgFixture) -> None:
    payload = await update(gql, EVERY_SETTING)
    assert settings_view(payload["organization"]) == EVERY_SETTING
    assert settings_view((await gql.data(ORGANIZATION))["organization"]) == EVERY_SETTING
    [event] = await settings_events(org)
    assert event["changed"]["default_country"] == {"from": "ES", "to": "PT"}
    assert event["changed"]["guest_checkout_web"] == {"from": "ENABLED",
                                                      "to": "DISABLED_CART_AVAILABLE"}
    assert event["changed"]["loyalty_earn_rate"]["to"] == "2.5000"
    assert set(event["changed"]) == {
        "guest_checkout_web", "guest_checkout_mobile_app", "registration_strategy",
        "default_country", "loyalty_earn_rate", "name", "timezone"}


@pytest.mark.parametrize("field", list(EVERY_SETTING))
async def test_only_the_fields_sent_change(gql: GraphQL, org: OrgFixture, field: str) -> None:
    before = settings_view((await gql.data(ORGANIZATION))["organization"])
    payload = await update(gql, {field: EVERY_SETTING[field]})
    assert settings_view(payload["organization"]) == {**before, field: EVERY_SETTING[field]}
    assert settings_view((await gql.data(ORGANIZATION))["organization"]) == {
        **before, field: EVERY_SETTING[field]}


async def test_values_are_normalised(gql: GraphQL, org: OrgFixture) -> None:
    payload = await update(gql, {"defaultCountry": " mx ", "name": "  Tacos   El  Güero ",
                                 "timezone": " America/Mexico_City ",
                                 "loyaltyEarnRate": "0.0500"})
    view = settings_view(payload["organization"])
    assert (view["defaultCountry"], view["name"], view["timezone"], view["loyaltyEarnRate"]) == (
        "MX", "Tacos El Güero", "America/Mexico_City", "0.05")
    for rate, shown in (("0", "0"), ("1000", "1000"), ("12.3456", "12.3456"),
                        ("7.50000", "7.5")):
        payload = await update(gql, {"loyaltyEarnRate": rate})
        assert payload["organization"]["settings"]["loyaltyEarnRate"] == shown


async def test_sending_the_current_values_changes_nothing(gql: GraphQL, org: OrgFixture
                                                          ) -> None:
    current = settings_view((await gql.data(ORGANIZATION))["organization"])
    before = (await organization_state(org.db, org.id), await organization_row(org))
    payload = await update(gql, {**current, "loyaltyEarnRate": "1.000"})
    assert settings_view(payload["organization"]) == current
    assert (await organization_state(org.db, org.id), await organization_row(org)) == before
    assert await settings_events(org) == []
    empty = await update(gql, {})
    assert settings_view(empty["organization"]) == current
    assert await settings_events(org) == []


@pytest.mark.parametrize(("input", "field", "code"), [
    ({"guestCheckoutWeb": None}, "guestCheckoutWeb", "REQUIRED"),
    ({"guestCheckoutMobileApp": None}, "guestCheckoutMobileApp", "REQUIRED"),
    ({"registrationStrategy": None}, "registrationStrategy", "REQUIRED"),
    ({"defaultCountry": None}, "defaultCountry", "REQUIRED"),
    ({"defaultCountry": "  "}, "defaultCountry", "REQUIRED"),
    ({"defaultCountry": "Spain"}, "defaultCountry", "INVALID"),
    ({"defaultCountry": "ZZ"}, "defaultCountry", "INVALID"),
    ({"defaultCountry": "001"}, "defaultCountry", "INVALID"),
    ({"loyaltyEarnRate": None}, "loyaltyEarnRate", "REQUIRED"),
    ({"loyaltyEarnRate": "-0.5"}, "loyaltyEarnRate", "INVALID"),
    ({"loyaltyEarnRate": "1.00001"}, "loyaltyEarnRate", "INVALID"),
    ({"loyaltyEarnRate": "1000.0001"}, "loyaltyEarnRate", "INVALID"),
    ({"loyaltyEarnRate": "1e9"}, "loyaltyEarnRate", "INVALID"),
    ({"loyaltyEarnRate": "NaN"}, "loyaltyEarnRate", "INVALID"),
    ({"loyaltyEarnRate": "sNaN"}, "loyaltyEarnRate", "INVALID"),
    ({"loyaltyEarnRate": "Infinity"}, "loyaltyEarnRate", "INVALID"),
    ({"name": None}, "name", "REQUIRED"),
    ({"name": " \t "}, "name", "REQUIRED"),
    ({"name": "x" * 201}, "name", "INVALID"),
    ({"timezone": None}, "timezone", "REQUIRED"),
    ({"timezone": ""}, "timezone", "REQUIRED"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "INVALID"),
    ({"timezone": "europe/madrid"}, "timezone", "INVALID"),
    ({"timezone": "localtime"}, "timezone", "INVALID"),
])
async def test_bad_input_is_refused_and_changes_nothing(
        gql: GraphQL, org: OrgFixture, input: dict[str, Any], field: str, code: str) -> None:
    # A good field sent alongside is not applied either.
    errors = await refused(gql, org, {**input, "guestCheckoutWeb": "DISABLED_CART_AVAILABLE"}
                           if field != "guestCheckoutWeb" else {**input, "name": "Renamed"})
    assert [(e["field"], e["code"]) for e in errors] == [(["input", field], code)]
    assert errors[0]["message"]


async def test_every_problem_is_reported_at_once(gql: GraphQL, org: OrgFixture) -> None:
    errors = await refused(gql, org, {"name": "", "defaultCountry": "XX", "timezone": "Nowhere",
                                      "loyaltyEarnRate": "-1", "registrationStrategy": None})
    assert {(e["field"][1], e["code"]) for e in errors} == {
        ("name", "REQUIRED"), ("defaultCountry", "INVALID"), ("timezone", "INVALID"),
        ("loyaltyEarnRate", "INVALID"), ("registrationStrategy", "REQUIRED")}


GUEST_RIGHTS = {  # setting: (may check out, may use the cart, sees prices)
    "ENABLED": (True, True, True),
    "DISABLED_CART_AVAILABLE": (False, True, True),
    "DISABLED_CART_UNAVAILABLE": (False, False, True),
    "DISABLED_CART_UNAVAILABLE_HIDE_PRICES": (False, False, False),
}
DEVICE_FIELD = {"WEB": "guestCheckoutWeb", "MOBILE_APP": "guestCheckoutMobileApp"}


@pytest.mark.parametrize("device", list(DEVICE_FIELD))
@pytest.mark.parametrize("setting", list(GUEST_RIGHTS))
async def test_storefront_policy(gql: GraphQL, org: OrgFixture, device: str, setting: str
                                 ) -> None:
    # The other device gets the opposite setting, so that reading the wrong one shows.
    opposite = ("DISABLED_CART_UNAVAILABLE_HIDE_PRICES" if setting == "ENABLED"
                else "ENABLED")
    other = next(d for d in DEVICE_FIELD if d != device)
    await update(gql, {DEVICE_FIELD[device]: setting, DEVICE_FIELD[other]: opposite,
                       "registrationStrategy": "PHONE"})
    check_out, cart, prices = GUEST_RIGHTS[setting]
    policy = (await gql.data(POLICY, {"device": device}))["storefrontPolicy"]
    assert policy == {"device": device, "guestCheckout": setting,
                      "guestsMayCheckOut": check_out, "guestsMayUseCart": cart,
                      "guestsSeePrices": prices, "registrationStrategy": "PHONE"}


BY_SLUG = """query($org: String) { storefrontPolicy(device: MOBILE_APP, organization: $org) {
  guestCheckout registrationStrategy } }"""


async def test_a_storefront_reads_the_policy_without_credentials(
        gql: GraphQL, org: OrgFixture, client: Any) -> None:
    await update(gql, {"guestCheckoutMobileApp": "DISABLED_CART_AVAILABLE",
                       "registrationStrategy": "PHONE"})
    response = await client.post("/graphql", json={"query": BY_SLUG,
                                                   "variables": {"org": org.slug}})
    assert response.status_code == 200
    assert response.json() == {"data": {"storefrontPolicy": {
        "guestCheckout": "DISABLED_CART_AVAILABLE", "registrationStrategy": "PHONE"}}}
    # Nothing else opens without credentials.
    refused = await client.post("/graphql", json={"query": "{ organization { name } }"})
    assert refused.status_code == 401


@pytest.mark.parametrize(("variables", "code"), [({}, "BAD_USER_INPUT"),
                                                 ({"org": "no-such-shop"}, "NOT_FOUND")])
async def test_without_credentials_the_shop_must_be_named_and_exist(
        client: Any, variables: dict[str, str], code: str) -> None:
    response = await client.post("/graphql", json={"query": BY_SLUG, "variables": variables})
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]


async def test_another_organization_is_untouched(gql: GraphQL, org: OrgFixture, db: Any,
                                                 client: Any) -> None:
    other = await create_organization(db)
    theirs = GraphQL(client, other.api_key)
    before = (await organization_state(db, other.id), await organization_row(other),
              await theirs.data(ORGANIZATION))
    await update(gql, EVERY_SETTING)
    assert settings_view((await gql.data(ORGANIZATION))["organization"]) == EVERY_SETTING
    assert (await organization_state(db, other.id), await organization_row(other),
            await theirs.data(ORGANIZATION)) == before
    policy = (await theirs.data(POLICY, {"device": "WEB"}))["storefrontPolicy"]
    assert (policy["guestCheckout"], policy["registrationStrategy"]) == ("ENABLED", "EMAIL")


async def test_a_new_default_country_applies_to_the_next_request(staff_gql: StaffUsers,
                                                                  org: OrgFixture) -> None:
    """The server process that changed the settings drops its cached profile of the
    organization: over HTTP, with a real owner's access token, which the server caches."""
    owner = await staff_gql(StaffRole.OWNER)
    await org.customer(first_name="Harry", phone_e164="+447911123456")
    search = 'query { customers(filter: {phone: "07911 123456"}) { totalCount } }'
    assert (await owner.data(search))["customers"]["totalCount"] == 0  # read as Spanish
    changed = await owner.data("""mutation { updateOrganizationSettings(
        input: {defaultCountry: "GB"}) { userErrors { code } } }""")
    assert changed["updateOrganizationSettings"]["userErrors"] == []
    assert (await owner.data(search))["customers"]["totalCount"] == 1


async def test_the_organization_is_a_node(gql, org: OrgFixture) -> None:
    own = (await gql.data("{ organization { id slug } }"))["organization"]
    node = await gql.data("query($id: ID!) { node(id: $id) { id ... on Organization { slug } } }",
                          {"id": own["id"]})
    assert node["node"] == own
    other = base64.b64encode(f"Organization:{org.id + 10**6}".encode()).decode()
    assert (await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": other}))[
        "node"] is None


async def test_an_api_key_may_not_change_settings(client: Any, org: OrgFixture) -> None:
    before = await organization_row(org)
    errors = await GraphQL(client, org.api_key).errors(UPDATE, {"input": {"name": "Taken"}})
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert "owner" in errors[0]["message"]
    assert await organization_row(org) == before
