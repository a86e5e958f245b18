"""addCustomer, updateCustomer, setConsent and registerGuest: what they write, every user error
they answer with, and that a refused request changes nothing."""

import base64
from typing import Any

import pytest

from models.core.enums import CustomerType, RegistrationStrategy

from factories import OrgFixture
from snapshots import organization_state

ADD = """mutation($input: AddCustomerInput!) { addCustomer(input: $input) {
  customer { id type source firstName lastName email phone { e164 } registeredAt
             addresses { line1 city country } mainStore { code } }
  userErrors { field code message existingCustomerId } } }"""
UPDATE = """mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
  customer { id firstName lastName email phone { e164 } notes taxExempt riskLevel
             addresses { line1 } }
  userErrors { field code message existingCustomerId } } }"""
CONSENT = """mutation($input: SetConsentInput!) { setConsent(input: $input) {
  changed customer { marketingConsent { subscribed source updatedAt }
                     consentHistory { subscribed source actorKind } }
  userErrors { field code message } } }"""
REGISTER = """mutation($input: RegisterGuestInput!) { registerGuest(input: $input) {
  customer { type registeredAt email firstName orderSummary { totalOrders } }
  userErrors { field code message } } }"""


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def valid_customer(**overrides: Any) -> dict[str, Any]:
    return {"firstName": "Íñigo", "lastName": "Núñez", "email": "Inigo@Example.es",
            "phone": "612 34 56 78", "address": {"line1": "Gran Vía 1", "city": "Madrid"},
            **overrides}


async def refused(gql, org: OrgFixture, mutation: str, input: dict[str, Any], name: str
                  ) -> list[dict[str, Any]]:
    """Run a mutation that must be refused; check it changed nothing; return its errors."""
    before = await organization_state(org.db, org.id)
    payload = (await gql.data(mutation, {"input": input}))[name]
    after = await organization_state(org.db, org.id)
    assert payload["userErrors"], payload
    assert payload.get("customer") is None
    assert after == before
    return payload["userErrors"]


async def test_add_customer_normalises_and_records(gql, org: OrgFixture) -> None:
    payload = (await gql.data(ADD, {"input": valid_customer(
        mainStoreId=gid("Store", org.store_ids[1]))}))["addCustomer"]
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert customer["type"] == "REGISTERED"
    assert customer["source"] == "MANUAL"
    assert customer["email"] == "inigo@example.es"
    assert customer["phone"] == {"e164": "+34612345678"}
    assert customer["addresses"] == [{"line1": "Gran Vía 1", "city": "Madrid", "country": "ES"}]
    assert customer["mainStore"] == {"code": "BCN"}
    assert customer["registeredAt"] is not None
    found = (await gql.data('{ customers(filter: {search: "inigo nunez"}) { totalCount } }'))
    assert found["customers"]["totalCount"] == 1
    assert await event_kinds(org) == ["customer.created"]


async def event_kinds(org: OrgFixture) -> list[str]:
    from sqlalchemy import select

    from models.core.events import DomainEvent

    async with org.db.admin_session() as session:
        return list(await session.scalars(select(DomainEvent.kind).where(
            DomainEvent.organization_id == org.id).order_by(DomainEvent.id)))


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"firstName": None}, "firstName", "REQUIRED"),
    ({"lastName": "  "}, "lastName", "REQUIRED"),
    ({"email": None}, "email", "REQUIRED"),
    ({"email": "not-an-email"}, "email", "INVALID"),
    ({"phone": None}, "phone", "REQUIRED"),
    ({"phone": "12"}, "phone", "INVALID"),
    ({"address": None}, "address", "REQUIRED"),
    ({"address": {"line1": "Gran Vía 1"}}, "address.city", "REQUIRED"),
    ({"address": {"line1": "x", "city": "y", "country": "Spain"}}, "address.country",
     "INVALID"),
    ({"birthday": "2999-01-01"}, "birthday", "INVALID"),
    ({"notes": "x" * 5001}, "notes", "INVALID"),
    ({"mainStoreId": "not-an-id"}, "mainStoreId", "INVALID"),
])
async def test_add_customer_refuses_bad_input(gql, org: OrgFixture, overrides: dict[str, Any],
                                              field: str, code: str) -> None:
    errors = await refused(gql, org, ADD, valid_customer(**overrides), "addCustomer")
    assert {"field": ["input", *field.split(".")], "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in errors], errors


async def test_add_customer_reports_every_problem_at_once(gql, org: OrgFixture) -> None:
    errors = await refused(gql, org, ADD, {"email": "bad"}, "addCustomer")
    assert {tuple(e["field"]) for e in errors} >= {
        ("input", "firstName"), ("input", "lastName"), ("input", "email"), ("input", "phone"),
        ("input", "address")}


async def test_store_of_another_organization_is_not_found(gql, org: OrgFixture, db) -> None:
    from factories import create_organization

    other = await create_organization(db)
    errors = await refused(gql, org, ADD, valid_customer(
        mainStoreId=gid("Store", other.store_ids[0])), "addCustomer")
    assert errors[0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"email": "ANA@example.es"}, "email"),
    ({"phone": "+34 699 000 111"}, "phone"),
    ({"externalId": "EXT-1"}, "externalId"),
])
async def test_duplicate_names_the_existing_customer(gql, org: OrgFixture,
                                                     overrides: dict[str, Any],
                                                     field: str) -> None:
    existing = await org.customer(first_name="Ana", last_name="Ruiz", email="ana@example.es",
                                  phone_e164="+34699000111", external_id="EXT-1")
    errors = await refused(gql, org, ADD, valid_customer(**overrides), "addCustomer")
    assert errors[0]["code"] == "DUPLICATE"
    assert errors[0]["field"] == ["input", field]
    assert "Ana Ruiz" in errors[0]["message"]
    assert errors[0]["existingCustomerId"] == gid("Customer", existing)


async def test_update_changes_only_what_is_sent(gql, org: OrgFixture) -> None:
    cid = await org.customer(first_name="Ana", last_name="Ruiz", email="ana@x.es",
                             notes="keep", addresses=1)
    payload = (await gql.data(UPDATE, {"input": {
        "id": gid("Customer", cid), "lastName": "Ruiz Peña", "taxExempt": True,
        "riskLevel": "HIGH", "phone": "+44 7911 123456"}}))["updateCustomer"]
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert (customer["firstName"], customer["lastName"]) == ("Ana", "Ruiz Peña")
    assert customer["notes"] == "keep"
    assert customer["email"] == "ana@x.es"
    assert customer["phone"] == {"e164": "+447911123456"}
    assert customer["taxExempt"] is True
    assert customer["riskLevel"] == "HIGH"
    assert customer["addresses"] == [{"line1": "Calle 1"}]
    cleared = (await gql.data(UPDATE, {"input": {"id": gid("Customer", cid), "notes": None,
                                                 "addresses": []}}))["updateCustomer"]
    assert cleared["customer"]["notes"] is None
    assert cleared["customer"]["addresses"] == []


async def test_update_refusals(gql, org: OrgFixture) -> None:
    cid = await org.customer(first_name="Ana", email="ana@x.es")
    await org.customer(email="taken@x.es")
    cases = [
        ({"id": gid("Customer", cid), "email": "taken@x.es"}, "email", "DUPLICATE"),
        ({"id": gid("Customer", cid), "firstName": ""}, "firstName", "REQUIRED"),
        ({"id": gid("Customer", cid), "phone": "555"}, "phone", "INVALID"),
        ({"id": gid("Customer", 10**9), "notes": "x"}, "id", "NOT_FOUND"),
        ({"id": gid("Store", cid), "notes": "x"}, "id", "INVALID"),
    ]
    for input, field, code in cases:
        errors = await refused(gql, org, UPDATE, input, "updateCustomer")
        assert (errors[0]["field"], errors[0]["code"]) == (["input", field], code), input


async def test_consent_history_records_each_decision_once(gql, org: OrgFixture) -> None:
    cid = await org.customer()
    target = gid("Customer", cid)
    on = (await gql.data(CONSENT, {"input": {"customerId": target, "subscribed": True,
                                             "source": "POS"}}))["setConsent"]
    assert on["changed"] is True
    assert on["customer"]["marketingConsent"]["subscribed"] is True
    assert on["customer"]["marketingConsent"]["source"] == "POS"
    before = await organization_state(org.db, org.id)
    again = (await gql.data(CONSENT, {"input": {"customerId": target, "subscribed": True}})
             )["setConsent"]
    assert again["changed"] is False
    assert await organization_state(org.db, org.id) == before
    off = (await gql.data(CONSENT, {"input": {"customerId": target, "subscribed": False}})
           )["setConsent"]
    assert off["customer"]["consentHistory"] == [
        {"subscribed": True, "source": "POS", "actorKind": "API_KEY"},
        {"subscribed": False, "source": "API", "actorKind": "API_KEY"}]
    errors = await refused(gql, org, CONSENT, {"customerId": gid("Customer", 10**9),
                                               "subscribed": True}, "setConsent")
    assert errors[0]["code"] == "NOT_FOUND"


async def set_strategy(org: OrgFixture, strategy: RegistrationStrategy) -> None:
    from models.organizations.table import Organization

    async with org.db.admin_session() as session:
        (await session.get(Organization, org.id)).registration_strategy = strategy
        await session.commit()


async def test_register_guest_keeps_orders_and_follows_strategy(gql, org: OrgFixture) -> None:
    guest = await org.customer(type=CustomerType.GUEST, registered_at=None, first_name=None,
                               last_name=None, email="g@x.es")
    await org.order(guest, total=1500)
    target = gid("Customer", guest)
    errors = await refused(gql, org, REGISTER, {"customerId": target}, "registerGuest")
    assert {tuple(e["field"]) for e in errors} == {
        ("input", "firstName"), ("input", "lastName"), ("input", "address")}
    payload = (await gql.data(REGISTER, {"input": {
        "customerId": target, "firstName": "Greta", "lastName": "Gil",
        "address": {"line1": "Calle Mayor 3", "city": "Madrid"}}}))["registerGuest"]
    assert payload["userErrors"] == []
    assert payload["customer"]["type"] == "REGISTERED"
    assert payload["customer"]["registeredAt"] is not None
    assert payload["customer"]["orderSummary"]["totalOrders"] == 1
    errors = await refused(gql, org, REGISTER, {"customerId": target}, "registerGuest")
    assert errors[0]["code"] == "ALREADY_REGISTERED"


async def test_register_guest_by_phone_strategies(gql, org: OrgFixture) -> None:
    await set_strategy(org, RegistrationStrategy.PHONE)
    guest = await org.customer(type=CustomerType.GUEST, registered_at=None, email="p@x.es",
                               first_name=None, last_name=None)
    errors = await refused(gql, org, REGISTER, {"customerId": gid("Customer", guest)},
                           "registerGuest")
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "phone"], "REQUIRED")]
    ok = (await gql.data(REGISTER, {"input": {"customerId": gid("Customer", guest),
                                              "phone": "611 22 33 44"}}))["registerGuest"]
    assert ok["userErrors"] == []
    await set_strategy(org, RegistrationStrategy.EMAIL_OR_PHONE)
    bare = await org.customer(type=CustomerType.GUEST, registered_at=None, email=None)
    errors = await refused(gql, org, REGISTER, {"customerId": gid("Customer", bare)},
                           "registerGuest")
    assert errors[0]["code"] == "REQUIRED"
    ok = (await gql.data(REGISTER, {"input": {"customerId": gid("Customer", bare),
                                              "email": "b@x.es"}}))["registerGuest"]
    assert ok["userErrors"] == []


async def test_remaining_refusals_of_consent_and_registration(gql, org: OrgFixture) -> None:
    await org.customer(first_name="Taken", email="taken@x.es")
    guest = gid("Customer", await org.customer(type=CustomerType.GUEST, registered_at=None,
                                               email=None, first_name=None, last_name=None))
    full = {"firstName": "G", "lastName": "H", "address": {"line1": "a", "city": "b"}}
    cases = [
        (CONSENT, {"customerId": "nope", "subscribed": True}, "setConsent", "customerId",
         "INVALID"),
        (REGISTER, {"customerId": gid("Customer", 10**9), **full, "email": "n@x.es"},
         "registerGuest", "customerId", "NOT_FOUND"),
        (REGISTER, {"customerId": guest, **full, "email": "taken@x.es"}, "registerGuest",
         "email", "DUPLICATE"),
        (REGISTER, {"customerId": guest, **full, "email": "not an email"}, "registerGuest",
         "email", "INVALID"),
    ]
    for mutation, input, name, field, code in cases:
        errors = await refused(gql, org, mutation, input, name)
        assert (errors[0]["field"], errors[0]["code"]) == (["input", field], code), input
