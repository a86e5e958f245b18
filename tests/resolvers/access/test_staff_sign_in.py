"""Staff sign-in over HTTP: tokens work, rotate, expire and end; wrong credentials all look the
same; disabled users are refused; only hashes of tokens are stored."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import argon2
import httpx
import pytest
from sqlalchemy import select, text

from models.access.passwords import needs_rehash
from models.access.sessions import AuthSession, RetiredRefreshToken, hash_token
from models.access.staff import StaffUser
from models.core.base import Base
from models.core.enums import StaffRole
from resolvers.node import to_global_id
from server.app import create_app
from server.settings import Settings

from clients import SIGN_IN, GraphQL, StaffGraphQL, StaffUsers
from environment import ROOT
from factories import OrgFixture, create_organization
from snapshots import organization_state

REFRESH = """mutation($token: String!) { refreshToken(input: {refreshToken: $token}) {
  accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt user { email role }
  userErrors { field code message } } }"""
SIGN_OUT = """mutation($everywhere: Boolean! = false) { signOut(input: {everywhere: $everywhere})
  { signedOut userErrors { code message } } }"""
VIEWER = "{ viewer { id email name role grants stores { code } } }"
DISABLE = """mutation($id: ID!, $disabled: Boolean!) { updateStaffUser(input: {id: $id,
  disabled: $disabled}) { staffUser { disabledAt } userErrors { code message } } }"""


async def status(client: httpx.AsyncClient, token: str, query: str = VIEWER) -> int:
    response = await client.post("/graphql", json={"query": query},
                                 headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def refresh(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": REFRESH,
                                                   "variables": {"token": token}})
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["refreshToken"]
    return payload


async def sign_in(client: httpx.AsyncClient, organization: str, email: str, password: str
                  ) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": SIGN_IN, "variables": {"input": {
        "organization": organization, "email": email, "password": password}}})
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["signIn"]
    return payload


async def test_sign_in_then_use_the_token(staff_gql: StaffUsers, org: OrgFixture) -> None:
    manager = await staff_gql(StaffRole.MANAGER, stores=[org.store_ids[0]])
    assert manager.access_token.startswith("cha_")
    assert manager.refresh_token.startswith("chr_")
    viewer = (await manager.data(VIEWER))["viewer"]
    assert viewer["email"] == manager.email
    assert viewer["role"] == "MANAGER"
    assert [s["code"] for s in viewer["stores"]] == ["MAD"]
    assert (await manager.data("{ stores { id } }"))["stores"]


async def test_refresh_rotates_both_tokens_and_the_old_access_token_dies(
        staff_gql: StaffUsers, client: httpx.AsyncClient) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    assert await status(client, owner.access_token) == 200  # cached by the server from now on
    rotated = await refresh(client, owner.refresh_token)
    assert rotated["userErrors"] == []
    assert rotated["user"] == {"email": owner.email, "role": "OWNER"}
    assert rotated["accessToken"] not in (owner.access_token, None)
    assert rotated["refreshToken"] not in (owner.refresh_token, None)
    assert rotated["accessTokenExpiresAt"] < rotated["refreshTokenExpiresAt"]
    response = await client.post("/graphql", json={"query": VIEWER},
                                 headers={"Authorization": f"Bearer {owner.access_token}"})
    assert response.status_code == 401
    assert "expired or revoked" in response.json()["errors"][0]["message"]
    assert await status(client, rotated["accessToken"]) == 200
    again = await refresh(client, rotated["refreshToken"])
    assert again["userErrors"] == []


async def test_reusing_a_refresh_token_revokes_the_session(staff_gql: StaffUsers,
                                                          client: httpx.AsyncClient) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    rotated = await refresh(client, owner.refresh_token)
    assert await status(client, rotated["accessToken"]) == 200
    reused = await refresh(client, owner.refresh_token)  # a stolen copy, or the thief's
    assert reused["accessToken"] is None
    assert reused["userErrors"][0]["code"] == "INVALID"
    assert "already used" in reused["userErrors"][0]["message"]
    assert await status(client, rotated["accessToken"]) == 401  # at once, despite the cache
    assert (await refresh(client, rotated["refreshToken"]))["userErrors"][0]["code"] == "INVALID"


async def test_sign_out_revokes_at_once(staff_gql: StaffUsers, client: httpx.AsyncClient) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    other_device = await staff_gql.sign_in(owner.email, owner.password)
    assert await status(client, owner.access_token) == 200
    signed_out = (await owner.data(SIGN_OUT))["signOut"]
    assert signed_out == {"signedOut": True, "userErrors": []}
    assert await status(client, owner.access_token) == 401
    assert (await refresh(client, owner.refresh_token))["userErrors"][0]["code"] == "INVALID"
    assert await status(client, other_device.access_token) == 200  # only this session ended
    third = await staff_gql.sign_in(owner.email, owner.password)
    everywhere = (await third.data(SIGN_OUT, {"everywhere": True}))["signOut"]
    assert everywhere["signedOut"] is True
    assert await status(client, other_device.access_token) == 401
    assert await status(client, third.access_token) == 401


async def test_an_api_key_cannot_sign_out(gql: GraphQL) -> None:
    payload = (await gql.data(SIGN_OUT))["signOut"]
    assert payload["signedOut"] is False
    assert "revokeApiKey" in payload["userErrors"][0]["message"]


@pytest.fixture
async def short_lived(db: Any, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A server whose access tokens live one second."""
    app = create_app(Settings(database_url=database_url, access_token_minutes=1 / 60), db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        yield client


async def test_an_expired_access_token_gets_401(short_lived: httpx.AsyncClient,
                                                org: OrgFixture) -> None:
    staff = StaffUsers(short_lived, org)
    owner = await staff(StaffRole.OWNER)
    assert await status(short_lived, owner.access_token) == 200  # cached, but not past expiry
    await asyncio.sleep(1.2)
    response = await short_lived.post("/graphql", json={"query": VIEWER},
                                      headers={"Authorization": f"Bearer {owner.access_token}"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "refreshToken" in response.json()["errors"][0]["message"]
    rotated = await refresh(short_lived, owner.refresh_token)  # the refresh token still lives
    assert await status(short_lived, rotated["accessToken"]) == 200


async def test_wrong_password_unknown_email_and_unknown_organization_look_the_same(
        staff_gql: StaffUsers, client: httpx.AsyncClient, org: OrgFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    email, _ = await staff_gql.create(StaffRole.OWNER)
    checks: list[str] = []
    verify = argon2.PasswordHasher.verify

    def counted(self: argon2.PasswordHasher, hash: str, password: str) -> bool:
        checks.append(password)
        return verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counted)
    before = await organization_state(org.db, org.id)
    answers = []
    for organization, address in ((org.slug, email), (org.slug, "nobody@staff.example"),
                                  ("no-such-organization", email)):
        checks.clear()
        payload = await sign_in(client, organization, address, "wrong password!")
        answers.append((payload["accessToken"], payload["userErrors"]))
        assert checks == ["wrong password!"]  # one Argon2 check each: the same time
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][1][0]["code"] == "INVALID_CREDENTIALS"
    assert await organization_state(org.db, org.id) == before


async def test_email_case_and_spaces_do_not_matter(staff_gql: StaffUsers,
                                                   client: httpx.AsyncClient,
                                                   org: OrgFixture) -> None:
    email, password = await staff_gql.create(StaffRole.VIEWER)
    payload = await sign_in(client, org.slug, f"  {email.upper()} ", password)
    assert payload["userErrors"] == []


async def test_a_disabled_user_is_refused(staff_gql: StaffUsers, client: httpx.AsyncClient,
                                          org: OrgFixture) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    viewer = await staff_gql(StaffRole.VIEWER)
    assert await status(client, viewer.access_token) == 200
    disabled = (await owner.data(DISABLE, {"id": viewer.user["id"], "disabled": True}))
    assert disabled["updateStaffUser"]["staffUser"]["disabledAt"] is not None
    assert await status(client, viewer.access_token) == 401  # its sessions ended at once
    assert (await refresh(client, viewer.refresh_token))["userErrors"][0]["code"] == "INVALID"
    refused = await sign_in(client, org.slug, viewer.email, viewer.password)
    assert refused["accessToken"] is None
    assert refused["userErrors"][0]["code"] == "DISABLED"
    wrong = await sign_in(client, org.slug, viewer.email, "not the password")
    assert wrong["userErrors"][0]["code"] == "INVALID_CREDENTIALS"  # only the password tells
    await owner.data(DISABLE, {"id": viewer.user["id"], "disabled": False})
    assert (await sign_in(client, org.slug, viewer.email, viewer.password))["userErrors"] == []


async def test_a_refresh_token_of_a_user_disabled_behind_its_back_buys_nothing(
        staff_gql: StaffUsers, client: httpx.AsyncClient, org: OrgFixture) -> None:
    """Disabling through the API ends the sessions (above); a user disabled any other way (by
    hand in the database, or in a race with the refresh) is still refused at the refresh."""
    viewer = await staff_gql(StaffRole.VIEWER)
    async with org.db.admin_session() as session:
        user = await session.scalar(select(StaffUser).where(StaffUser.email == viewer.email))
        assert user is not None
        user.disabled_at = user.created_at
        await session.commit()
    before = await organization_state(org.db, org.id)
    refused = await refresh(client, viewer.refresh_token)
    assert refused["accessToken"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["input", "refreshToken"], "DISABLED")]
    assert await organization_state(org.db, org.id) == before


async def test_sign_in_rehashes_a_weaker_hash(staff_gql: StaffUsers, org: OrgFixture) -> None:
    email, password = await staff_gql.create(StaffRole.OWNER)
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192).hash(password)
    assert needs_rehash(weak)
    async with org.db.admin_session() as session:
        user = (await session.scalars(select(StaffUser).where(StaffUser.email == email))).one()
        user.password_hash = weak
        await session.commit()
    await staff_gql.sign_in(email, password)
    async with org.db.admin_session() as session:
        user = (await session.scalars(select(StaffUser).where(StaffUser.email == email))).one()
        assert user.password_hash != weak
        assert not needs_rehash(user.password_hash)
        assert user.last_sign_in_at is not None


async def test_nobody_reaches_only_the_public_fields(client: httpx.AsyncClient,
                                                     org: OrgFixture) -> None:
    for query in (VIEWER, "{ organization { id } }",
                  "mutation { signOut(input: {}) { signedOut } }"):
        response = await client.post("/graphql", json={"query": query})
        assert response.status_code == 401, query
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="customerhub"'
        assert "Authorization: Bearer" in response.json()["errors"][0]["message"]
    refused = await sign_in(client, org.slug, "x@y.example", "whatever password")
    assert refused["userErrors"][0]["code"] == "INVALID_CREDENTIALS"  # answered, not 401
    for header in ("Basic dXNlcjpwYXNz", "Bearer chr_not-a-bearer", "Bearer cha_made-up"):
        response = await client.post("/graphql", json={"query": SIGN_IN},
                                     headers={"Authorization": header})
        assert response.status_code == 401, header


async def test_tokens_are_stored_hashed(staff_gql: StaffUsers, client: httpx.AsyncClient,
                                        org: OrgFixture) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    created = (await owner.data("""mutation { createApiKey(input: {name: "POS",
        scopes: ["customers:read"]}) { key } }"""))["createApiKey"]["key"]
    rotated = await refresh(client, owner.refresh_token)
    secrets = [owner.access_token, owner.refresh_token, rotated["accessToken"],
               rotated["refreshToken"], created, org.api_key, owner.password]
    stored = repr(await organization_state(org.db, org.id))
    async with org.db.engine.connect() as connection:  # every table, every column, as text
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(text(f"SELECT * FROM {table.name}"))
            stored += repr(rows.all())
    for secret in secrets:
        assert secret not in stored
        assert secret[4:] not in stored
    async with org.db.admin_session() as session:
        row = (await session.scalars(select(AuthSession).where(
            AuthSession.access_token_hash == hash_token(rotated["accessToken"])))).one()
        assert row.refresh_token_hash == hash_token(rotated["refreshToken"])
        retired = (await session.scalars(select(RetiredRefreshToken).where(
            RetiredRefreshToken.session_id == row.id))).one()
        assert retired.token_hash == hash_token(owner.refresh_token)


async def test_sessions_belong_to_their_organization(staff_gql: StaffUsers, db: Any,
                                                     client: httpx.AsyncClient) -> None:
    other = await create_organization(db)
    email, password = await staff_gql.create(StaffRole.OWNER, organization=other)
    wrong_organization = await sign_in(client, staff_gql.org.slug, email, password)
    assert wrong_organization["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    theirs: StaffGraphQL = await staff_gql.sign_in(email, password, organization=other)
    data = await theirs.data("{ organization { slug } stores { id } }")
    assert data["organization"]["slug"] == other.slug
    assert sorted(s["id"] for s in data["stores"]) == sorted(
        to_global_id("Store", pk) for pk in other.store_ids)


async def test_the_admin_apps_documents(staff_gql: StaffUsers, client: httpx.AsyncClient,
                                        org: OrgFixture) -> None:
    """The SPA's own operations (frontend-contract/admin): sign in, load the viewer, refresh
    without a header, sign out."""
    def document(name: str) -> str:
        return (ROOT / "frontend-contract" / "admin" / f"{name}.graphql").read_text()

    email, password = await staff_gql.create(StaffRole.MANAGER, stores=[org.store_ids[0]])
    response = await client.post("/graphql", json={"query": document("SignIn"), "variables": {
        "input": {"organization": org.slug, "email": email, "password": password}}})
    signed_in = response.json()["data"]["signIn"]
    bearer = {"Authorization": f"Bearer {signed_in['accessToken']}"}
    viewer = (await client.post("/graphql", json={"query": document("Viewer")},
                                headers=bearer)).json()["data"]["viewer"]
    assert viewer == signed_in["user"]
    refreshed = (await client.post("/graphql", json={
        "query": document("RefreshToken"),
        "variables": {"refreshToken": signed_in["refreshToken"]}})).json()["data"]["refreshToken"]
    bearer = {"Authorization": f"Bearer {refreshed['accessToken']}"}
    out = (await client.post("/graphql", json={"query": document("SignOut")},
                             headers=bearer)).json()["data"]["signOut"]
    assert out["signedOut"] is True
    assert (await client.post("/graphql", json={"query": document("Viewer")},
                              headers=bearer)).status_code == 401


async def test_password_guessing_on_one_account_is_throttled(staff_gql: StaffUsers,
                                                             client: httpx.AsyncClient,
                                                             org: OrgFixture) -> None:
    email, password = await staff_gql.create(StaffRole.VIEWER)
    other_email, other_password = await staff_gql.create(StaffRole.VIEWER)
    for _ in range(10):
        refused = await sign_in(client, org.slug, email, "not the password")
        assert [e["code"] for e in refused["userErrors"]] == ["INVALID_CREDENTIALS"]
    # The right password, now too late for this account; the next account is not affected.
    throttled = await sign_in(client, org.slug, f" {email.upper()} ", password)
    assert [e["code"] for e in throttled["userErrors"]] == ["TOO_MANY_ATTEMPTS"]
    assert throttled["accessToken"] is None
    assert "try again in" in throttled["userErrors"][0]["message"]
    assert (await sign_in(client, org.slug, other_email, other_password))["userErrors"] == []
