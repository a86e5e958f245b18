"""Customers of the web shop and the app over HTTP: sign up, ask for a code (read back from the
log), sign in under each registration strategy, use the token for `me` and nothing else,
refresh and sign out; and every refusal changes nothing."""

import base64
import logging
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from models.access.codes import SignInCode
from models.core.base import utcnow
from models.core.enums import CustomerType, RegistrationStrategy
from models.organizations.table import Organization

from environment import ROOT
from factories import OrgFixture
from snapshots import organization_state

PASSWORD = "correct horse battery"
SESSION = """accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
  customer { id fullName email phone { e164 } } userErrors { field code message }"""
SIGN_UP = ("mutation($input: CustomerSignUpInput!) { customerSignUp(input: $input) { "
           + SESSION + " } }")
SIGN_IN = ("mutation($input: CustomerSignInInput!) { customerSignIn(input: $input) { "
           + SESSION + " } }")
REQUEST_CODE = """mutation($input: RequestSignInCodeInput!) { requestSignInCode(input: $input) {
  sent expiresAt retryAfterSeconds userErrors { field code message } } }"""
ME = """{ me { id firstName email phone { e164 } orderSummary { totalOrders }
  orders(first: 5) { totalCount nodes { number } } consentHistory { source actorKind } } }"""
REFRESH = """mutation($input: RefreshTokenInput!) { refreshToken(input: $input) {
  accessToken refreshToken userErrors { field code message } } }"""
SIGN_OUT = "mutation { signOut(input: {}) { signedOut userErrors { code } } }"


class Storefront:
    """The web shop or the app: posts without credentials, or with a customer's token."""

    def __init__(self, client: httpx.AsyncClient, org: OrgFixture) -> None:
        self.client = client
        self.org = org

    async def post(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post("/graphql", json={"query": query,
                                                         "variables": variables or {}},
                                      headers=headers)

    async def data(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None) -> dict[str, Any]:
        response = await self.post(query, variables, token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def mutation(self, query: str, name: str, token: str | None = None,
                       **input: Any) -> dict[str, Any]:
        payload: dict[str, Any] = (await self.data(
            query, {"input": {"organization": self.org.slug, **input}}, token))[name]
        return payload

    async def sign_up(self, **input: Any) -> dict[str, Any]:
        values = {"firstName": "Lucía", "lastName": "Gil", "channel": "MOBILE_APP", **input}
        return await self.mutation(SIGN_UP, "customerSignUp", **values)

    async def sign_in(self, **input: Any) -> dict[str, Any]:
        return await self.mutation(SIGN_IN, "customerSignIn", **input)

    async def request_code(self, phone: str | None, caplog: pytest.LogCaptureFixture,
                           email: str | None = None) -> tuple[dict[str, Any], str | None]:
        """The payload, and the code the `log://` sender wrote (None when none was sent)."""
        caplog.clear()
        sent = {"phone": phone} if email is None else {"email": email}
        with caplog.at_level(logging.WARNING, logger="customerhub.codes"):
            payload = await self.mutation(REQUEST_CODE, "requestSignInCode", **sent)
        codes = [m.group(1) for r in caplog.records if r.name == "customerhub.codes"
                 for m in [re.search(r": (\d{6}) \(valid until", r.getMessage())] if m]
        return payload, codes[-1] if codes else None

    async def allow_a_new_code(self) -> None:
        """Move the last code's time back past the minute between two codes."""
        async with self.org.db.admin_session() as session:
            await session.execute(update(SignInCode).where(
                SignInCode.organization_id == self.org.id).values(
                sent_at=utcnow() - timedelta(minutes=2)))
            await session.commit()


@pytest.fixture
def shop(client: httpx.AsyncClient, org: OrgFixture) -> Storefront:
    return Storefront(client, org)


async def set_strategy(org: OrgFixture, strategy: RegistrationStrategy) -> None:
    async with org.db.admin_session() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        row.registration_strategy = strategy
        await session.commit()


ADDRESS = [{"line1": "Gran Vía 1", "city": "Madrid"}]


async def test_email_strategy_sign_up_sign_in_me_refresh_sign_out(shop: Storefront) -> None:
    signed_up = await shop.sign_up(email="lucia@example.es", password=PASSWORD,
                                   addresses=ADDRESS, acceptsMarketing=True)
    assert signed_up["userErrors"] == []
    assert signed_up["accessToken"].startswith("cha_")
    assert signed_up["customer"]["email"] == "lucia@example.es"
    me = (await shop.data(ME, token=signed_up["accessToken"]))["me"]
    assert me["id"] == signed_up["customer"]["id"]
    assert me["consentHistory"] == [{"source": "MOBILE_APP", "actorKind": "CUSTOMER"}]

    signed_in = await shop.sign_in(email="Lucia@example.es", password=PASSWORD)
    assert signed_in["userErrors"] == []
    assert signed_in["customer"]["id"] == me["id"]
    refreshed = (await shop.data(REFRESH, {"input": {
        "refreshToken": signed_in["refreshToken"]}}))["refreshToken"]
    assert refreshed["userErrors"] == []
    token = refreshed["accessToken"]
    assert (await shop.data(ME, token=token))["me"]["id"] == me["id"]
    old = await shop.post(ME, token=signed_in["accessToken"])
    assert old.status_code == 401  # the rotation retired it

    signed_out = (await shop.data(SIGN_OUT, token=token))["signOut"]
    assert signed_out == {"signedOut": True, "userErrors": []}
    assert (await shop.post(ME, token=token)).status_code == 401
    # The sign-up's own session is another device: still open.
    assert (await shop.data(ME, token=signed_up["accessToken"]))["me"]["id"] == me["id"]


async def test_phone_strategy_reads_the_code_from_the_log(
        shop: Storefront, org: OrgFixture, caplog: pytest.LogCaptureFixture) -> None:
    await set_strategy(org, RegistrationStrategy.PHONE)
    asked, code = await shop.request_code("612 00 11 22", caplog)
    assert asked["sent"] is True
    assert asked["retryAfterSeconds"] == 60
    assert code is not None
    logged = caplog.records[-1].getMessage()
    assert "+34612001122" not in logged
    assert "+34******122" in logged

    signed_up = await shop.sign_up(phone="612001122", code=code)
    assert signed_up["userErrors"] == []
    assert signed_up["customer"]["phone"] == {"e164": "+34612001122"}
    token = signed_up["accessToken"]
    assert (await shop.data(ME, token=token))["me"]["phone"] == {"e164": "+34612001122"}

    used = await shop.sign_in(phone="612001122", code=code)
    assert [e["code"] for e in used["userErrors"]] == ["CODE_EXPIRED"]
    await shop.allow_a_new_code()
    _, code = await shop.request_code("+34 612 00 11 22", caplog)
    signed_in = await shop.sign_in(phone="612001122", code=code)
    assert signed_in["userErrors"] == []
    assert signed_in["customer"]["id"] == signed_up["customer"]["id"]
    refused = await shop.sign_in(email="lucia@example.es", password=PASSWORD)
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["input", "password"], "METHOD_NOT_ALLOWED")]


async def test_email_or_phone_takes_both(shop: Storefront, org: OrgFixture,
                                         caplog: pytest.LogCaptureFixture) -> None:
    await set_strategy(org, RegistrationStrategy.EMAIL_OR_PHONE)
    by_email = await shop.sign_up(email="ana@example.es", password=PASSWORD, channel="WEB")
    assert by_email["userErrors"] == []
    _, code = await shop.request_code("699 00 00 01", caplog)
    by_phone = await shop.sign_up(phone="699000001", code=code)
    assert by_phone["userErrors"] == []
    assert by_phone["customer"]["id"] != by_email["customer"]["id"]
    again = await shop.sign_in(email="ana@example.es", password=PASSWORD)
    assert again["customer"]["id"] == by_email["customer"]["id"]
    await shop.allow_a_new_code()
    _, code = await shop.request_code("699000001", caplog)
    again = await shop.sign_in(phone="699000001", code=code)
    assert again["customer"]["id"] == by_phone["customer"]["id"]


async def test_email_strategy_refuses_the_phone_route(shop: Storefront,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    asked, code = await shop.request_code("612001122", caplog)
    assert (asked["sent"], code) == (False, None)
    assert [e["code"] for e in asked["userErrors"]] == ["METHOD_NOT_ALLOWED"]
    refused = await shop.sign_in(phone="612001122", code="123456")
    assert [e["code"] for e in refused["userErrors"]] == ["METHOD_NOT_ALLOWED"]


async def test_a_guest_signs_up_and_keeps_its_orders(shop: Storefront, org: OrgFixture,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    guest = await org.customer(type=CustomerType.GUEST, email="lucia@example.es",
                               first_name=None, last_name=None)
    await org.order(guest, total=1999)
    unproven = await shop.sign_up(email="lucia@example.es", password=PASSWORD,
                                  addresses=ADDRESS)
    assert unproven["accessToken"] is None
    assert [(e["field"], e["code"]) for e in unproven["userErrors"]] == [
        (["input", "emailCode"], "REQUIRED")]
    asked, code = await shop.request_code(None, caplog, email="lucia@example.es")
    assert asked["sent"] is True
    assert code is not None
    assert "l***@example.es" in caplog.records[-1].getMessage()
    signed_up = await shop.sign_up(email="lucia@example.es", password=PASSWORD,
                                   addresses=ADDRESS, emailCode=code)
    me = (await shop.data(ME, token=signed_up["accessToken"]))["me"]
    assert me["orderSummary"] == {"totalOrders": 1}
    assert me["orders"]["totalCount"] == 1


async def test_asking_for_a_code_never_tells_who_is_a_customer(
        shop: Storefront, org: OrgFixture, caplog: pytest.LogCaptureFixture) -> None:
    await set_strategy(org, RegistrationStrategy.PHONE)
    await org.customer(phone_e164="+34612001122")
    known, known_code = await shop.request_code("612001122", caplog)
    unknown, unknown_code = await shop.request_code("612009999", caplog)
    assert known_code is not None
    assert unknown_code is not None
    for payload in (known, unknown):
        payload.pop("expiresAt")
    assert known == unknown == {"sent": True, "retryAfterSeconds": 60, "userErrors": []}
    too_soon, none = await shop.request_code("612001122", caplog)
    assert none is None
    assert too_soon["sent"] is False
    assert [e["code"] for e in too_soon["userErrors"]] == ["RATE_LIMITED"]
    assert 0 < too_soon["retryAfterSeconds"] <= 60


async def test_wrong_password_and_unknown_email_get_the_same_answer(
        shop: Storefront, org: OrgFixture) -> None:
    await shop.sign_up(email="lucia@example.es", password=PASSWORD, addresses=ADDRESS)
    await org.customer(type=CustomerType.GUEST, email="guest@example.es")
    before = await organization_state(org.db, org.id)
    answers = [await shop.sign_in(email=email, password=password) for email, password in (
        ("lucia@example.es", "not the password"), ("nobody@example.es", PASSWORD),
        ("guest@example.es", PASSWORD))]
    assert await organization_state(org.db, org.id) == before
    for answer in answers:
        assert answer["accessToken"] is None
        assert answer["userErrors"] == answers[0]["userErrors"]
    assert [e["code"] for e in answers[0]["userErrors"]] == ["INVALID_CREDENTIALS"]


async def test_wrong_expired_and_used_up_codes(shop: Storefront, org: OrgFixture,
                                               caplog: pytest.LogCaptureFixture) -> None:
    await set_strategy(org, RegistrationStrategy.PHONE)
    _, code = await shop.request_code("612001122", caplog)
    assert code is not None
    await shop.sign_up(phone="612001122", code=code)
    await shop.allow_a_new_code()
    _, code = await shop.request_code("612001122", caplog)
    assert code is not None
    wrong = "000000" if code != "000000" else "111111"

    before = await organization_state(org.db, org.id)
    first = await shop.sign_in(phone="612001122", code=wrong)
    after = await organization_state(org.db, org.id)
    assert [(e["code"], e["message"]) for e in first["userErrors"]] == [
        ("INVALID_CODE", "This code is wrong; 4 tries left.")]
    assert first["accessToken"] is None
    # The only change a wrong code leaves is its count.
    assert after.pop("sign_in_codes") != before.pop("sign_in_codes")
    assert after == before
    for _ in range(4):
        await shop.sign_in(phone="612001122", code=wrong)
    exhausted = await shop.sign_in(phone="612001122", code=code)
    assert [e["code"] for e in exhausted["userErrors"]] == ["TOO_MANY_ATTEMPTS"]

    await shop.allow_a_new_code()
    _, code = await shop.request_code("612001122", caplog)
    async with org.db.admin_session() as session:
        await session.execute(update(SignInCode).where(SignInCode.organization_id == org.id)
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
        await session.commit()
    expired = await shop.sign_in(phone="612001122", code=code)
    assert [e["code"] for e in expired["userErrors"]] == ["CODE_EXPIRED"]


@pytest.mark.parametrize(("input", "field", "code"), [
    ({"organization": "no-such-shop"}, "organization", "NOT_FOUND"),
    ({"password": "short"}, "password", "INVALID"),
    ({"email": "not-an-email"}, "email", "INVALID"),
    ({"firstName": " "}, "firstName", "REQUIRED"),
    ({"addresses": []}, "address", "REQUIRED"),
])
async def test_a_refused_sign_up_changes_nothing(shop: Storefront, org: OrgFixture,
                                                 input: dict[str, Any], field: str, code: str
                                                 ) -> None:
    before = await organization_state(org.db, org.id)
    refused = await shop.sign_up(**{"email": "lucia@example.es", "password": PASSWORD,
                                    "addresses": ADDRESS, **input})
    assert await organization_state(org.db, org.id) == before
    assert refused["accessToken"] is None
    assert (["input", field], code) in [(e["field"], e["code"]) for e in refused["userErrors"]]


STAFF_ONLY = [
    "{ customers { totalCount } }",
    '{ customer(id: "%(me)s") { notes } }',
    '{ node(id: "%(me)s") { id } }',
    "{ organization { name } }",
    "{ customerStats { total } }",
    'mutation { updateCustomer(input: {id: "%(me)s", notes: "x"}) { userErrors { code } } }',
    'mutation { eraseCustomer(input: {customerId: "%(me)s"}) { userErrors { code } } }',
    'mutation { setConsent(input: {customerId: "%(me)s", subscribed: true}) { changed } }',
    'mutation { recordOrder(input: {channel: WEB, customer: {email: "x@example.es"}, '
    'items: [{name: "x", quantity: 1, unitPrice: "1"}]}) { userErrors { code } } }',
]


@pytest.mark.parametrize("operation", STAFF_ONLY)
async def test_a_customer_token_reaches_nothing_else(shop: Storefront, org: OrgFixture,
                                                     operation: str) -> None:
    signed_up = await shop.sign_up(email="lucia@example.es", password=PASSWORD,
                                   addresses=ADDRESS)
    before = await organization_state(org.db, org.id)
    response = await shop.post(operation % {"me": signed_up["customer"]["id"]},
                               token=signed_up["accessToken"])
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await organization_state(org.db, org.id) == before


async def test_me_of_one_customer_never_shows_another(shop: Storefront, org: OrgFixture
                                                      ) -> None:
    ana = await shop.sign_up(email="ana@example.es", password=PASSWORD, addresses=ADDRESS,
                             firstName="Ana")
    bea = await shop.sign_up(email="bea@example.es", password=PASSWORD, addresses=ADDRESS,
                             firstName="Bea")
    await org.order(int(_pk(bea["customer"]["id"])), total=500)
    seen_by_ana = (await shop.data(ME, token=ana["accessToken"]))["me"]
    assert seen_by_ana["email"] == "ana@example.es"
    assert seen_by_ana["orders"]["totalCount"] == 0
    assert (await shop.data(ME, token=bea["accessToken"]))["me"]["orders"]["totalCount"] == 1


def _pk(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":")[1]


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


async def test_an_erased_customers_token_stops_working(shop: Storefront, owner_gql: Any
                                                       ) -> None:
    signed_up = await shop.sign_up(email="lucia@example.es", password=PASSWORD,
                                   addresses=ADDRESS)
    erased = await owner_gql.data(
        """mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) {
           userErrors { code } } }""", {"input": {"customerId": signed_up["customer"]["id"]}})
    assert erased["eraseCustomer"]["userErrors"] == []
    assert (await shop.post(ME, token=signed_up["accessToken"])).status_code == 401
    again = await shop.sign_in(email="lucia@example.es", password=PASSWORD)
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_CREDENTIALS"]


async def test_a_merged_customers_token_follows_the_merge(shop: Storefront, org: OrgFixture,
                                                          owner_gql: Any) -> None:
    signed_up = await shop.sign_up(email="lucia@example.es", password=PASSWORD,
                                   addresses=ADDRESS)
    target = await org.customer(email="lucia.gil@example.es")
    await org.order(target, total=700)
    merged = await owner_gql.data(
        """mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
           userErrors { code } } }""",
        {"input": {"targetId": gid("Customer", target),
                   "sourceIds": [signed_up["customer"]["id"]]}})
    assert merged["mergeCustomers"]["userErrors"] == []
    me = (await shop.data(ME, token=signed_up["accessToken"]))["me"]
    assert me["id"] == gid("Customer", target)
    assert me["orders"]["totalCount"] == 1


async def test_erasure_ends_the_sessions_for_good(shop: Storefront, owner_gql: Any) -> None:
    signed_up = await shop.sign_up(email="lucia@example.es", password=PASSWORD,
                                   addresses=ADDRESS)
    await owner_gql.data(
        """mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) {
           userErrors { code } } }""", {"input": {"customerId": signed_up["customer"]["id"]}})
    refreshed = (await shop.data(REFRESH, {"input": {
        "refreshToken": signed_up["refreshToken"]}}))["refreshToken"]
    assert refreshed["accessToken"] is None
    assert [e["code"] for e in refreshed["userErrors"]] == ["INVALID"]


async def test_signing_in_opens_nothing_else_in_the_same_request(shop: Storefront) -> None:
    await shop.sign_up(email="lucia@example.es", password=PASSWORD, addresses=ADDRESS)
    response = await shop.post(
        """mutation($input: CustomerSignInInput!) {
             customerSignIn(input: $input) { accessToken customer { email } }
             updateMe(input: {firstName: "Mallory"}) { userErrors { code } } }""",
        {"input": {"organization": shop.org.slug, "email": "lucia@example.es",
                   "password": PASSWORD}})
    body = response.json()
    assert [e["path"] for e in body["errors"]] == [["updateMe"]]
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["data"] is None or body["data"].get("updateMe") is None


async def test_a_caller_signed_in_elsewhere_cannot_sign_a_customer_in_here(
        shop: Storefront, db: Any) -> None:
    from factories import create_organization

    await shop.sign_up(email="lucia@example.es", password=PASSWORD, addresses=ADDRESS)
    other = await create_organization(db)
    response = await shop.post(SIGN_IN, {"input": {
        "organization": shop.org.slug, "email": "lucia@example.es", "password": PASSWORD}},
        token=other.api_key)
    payload = response.json()["data"]["customerSignIn"]
    assert payload["accessToken"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "organization"], "INVALID")]


async def test_the_storefronts_documents(shop: Storefront, org: OrgFixture,
                                         caplog: pytest.LogCaptureFixture) -> None:
    """The apps' own operations (frontend-contract/storefront), under EMAIL_OR_PHONE: ask for
    a code, sign up with it, sign in by password, the account screen, edit, consent, refresh
    without a header, sign out."""
    def document(name: str) -> str:
        return (ROOT / "frontend-contract" / "storefront" / f"{name}.graphql").read_text()

    async def send(name: str, variables: dict[str, Any], token: str | None = None
                   ) -> dict[str, Any]:
        return await shop.data(document(name), variables, token)

    await set_strategy(org, RegistrationStrategy.EMAIL_OR_PHONE)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="customerhub.codes"):
        asked = (await send("RequestSignInCode", {"input": {
            "organization": org.slug, "phone": "612001122"}}))["requestSignInCode"]
    assert asked["sent"] is True
    code = re.search(r": (\d{6}) \(", caplog.records[-1].getMessage())
    assert code is not None
    signed_up = (await send("CustomerSignUp", {"input": {
        "organization": org.slug, "firstName": "Lucía", "lastName": "Gil", "channel": "WEB",
        "email": "lucia@example.es", "password": PASSWORD, "phone": "612001122",
        "code": code[1], "acceptsMarketing": False}}))["customerSignUp"]
    assert signed_up["userErrors"] == []
    signed_in = (await send("CustomerSignIn", {"input": {
        "organization": org.slug, "email": "lucia@example.es", "password": PASSWORD}}))[
        "customerSignIn"]
    token = signed_in["accessToken"]
    account = (await send("MyAccount", {}, token))["me"]
    assert account["id"] == signed_up["customer"]["id"]
    assert account["marketingConsent"]["subscribed"] is False
    edited = (await send("UpdateMe", {"input": {"lastName": "Gil Pérez"}}, token))["updateMe"]
    assert edited["me"]["lastName"] == "Gil Pérez"
    consent = (await send("SetMyConsent", {"input": {"subscribed": True,
                                                     "channel": "WEB"}}, token))["setMyConsent"]
    assert consent["changed"] is True
    refreshed = (await send("RefreshToken", {"refreshToken": signed_in["refreshToken"]}))[
        "refreshToken"]
    assert refreshed["userErrors"] == []
    out = (await send("SignOut", {}, refreshed["accessToken"]))["signOut"]
    assert out["signedOut"] is True
    assert (await shop.post(document("MyAccount"), {},
                            refreshed["accessToken"])).status_code == 401


async def test_password_guessing_is_slowed_per_email(shop: Storefront) -> None:
    await shop.sign_up(email="lucia@example.es", password=PASSWORD, addresses=ADDRESS)
    for _ in range(10):
        wrong = await shop.sign_in(email="lucia@example.es", password="not the password")
        assert [e["code"] for e in wrong["userErrors"]] == ["INVALID_CREDENTIALS"]
    slowed = await shop.sign_in(email=" Lucia@example.es", password=PASSWORD)
    assert slowed["accessToken"] is None
    assert [(e["field"], e["code"]) for e in slowed["userErrors"]] == [
        (["input"], "TOO_MANY_ATTEMPTS")]
    other = await shop.sign_in(email="someone@example.es", password=PASSWORD)
    assert [e["code"] for e in other["userErrors"]] == ["INVALID_CREDENTIALS"]
