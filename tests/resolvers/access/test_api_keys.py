"""API keys over HTTP: owners create (shown once), list and revoke them; scopes limit what a key
reaches; `lastUsedAt` moves at most once a minute; another organization reaches none of it."""

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from models.access.api_keys import ApiKey, hash_key
from models.core.base import utcnow
from models.core.enums import StaffRole
from resolvers.node import to_global_id

from clients import GraphQL, StaffUsers
from factories import OrgFixture, create_organization
from snapshots import organization_state

CREATE = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  key apiKey { id name prefix scopes createdAt lastUsedAt revokedAt }
  userErrors { field code message } } }"""
KEYS = "{ apiKeys { id name prefix scopes lastUsedAt revokedAt } }"
REVOKE = """mutation($id: ID!) { revokeApiKey(input: {id: $id}) {
  apiKey { id revokedAt } userErrors { field code message } } }"""
CUSTOMERS = "{ customers { totalCount } }"
ADD_CUSTOMER = """mutation { addCustomer(input: {firstName: "Ana", lastName: "Ruiz",
  email: "ana@example.es", phone: "612345678", address: {line1: "Gran Vía 1", city: "Madrid"}})
  { customer { id } userErrors { code } } }"""


async def create_key(owner: GraphQL, name: str, scopes: list[str]) -> dict[str, Any]:
    payload: dict[str, Any] = (await owner.data(CREATE, {"input": {
        "name": name, "scopes": scopes}}))["createApiKey"]
    return payload


async def test_create_list_and_revoke(staff_gql: StaffUsers, client: httpx.AsyncClient) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    made = await create_key(owner, "  POS   Madrid ", ["orders:write", "customers:read"])
    assert made["userErrors"] == []
    key, listed = made["key"], made["apiKey"]
    assert key.startswith("chk_")
    assert listed["name"] == "POS Madrid"
    assert listed["scopes"] == ["customers:read", "orders:write"]
    assert key.startswith(listed["prefix"])
    assert listed["lastUsedAt"] is None
    keys = (await owner.data(KEYS))["apiKeys"]
    assert [k["name"] for k in keys] == ["tests", "POS Madrid"]
    assert key not in repr(keys)
    integrator = GraphQL(client, key)
    assert (await integrator.data(CUSTOMERS))["customers"]["totalCount"] == 0
    revoked = (await owner.data(REVOKE, {"id": listed["id"]}))["revokeApiKey"]
    assert revoked["userErrors"] == []
    assert revoked["apiKey"]["revokedAt"] is not None
    response = await client.post("/graphql", json={"query": CUSTOMERS},
                                 headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401  # at once, although the server had cached the key
    assert "revoked" in response.json()["errors"][0]["message"]
    again = (await owner.data(REVOKE, {"id": listed["id"]}))["revokeApiKey"]
    assert again["apiKey"]["revokedAt"] == revoked["apiKey"]["revokedAt"]
    assert [k["revokedAt"] is not None for k in (await owner.data(KEYS))["apiKeys"]] == [
        False, True]


async def test_bad_keys_are_user_errors_and_change_nothing(staff_gql: StaffUsers,
                                                           org: OrgFixture) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    before = await organization_state(org.db, org.id)
    unknown = await create_key(owner, "POS", ["customers:read", "customers:delete", "admin"])
    assert unknown["key"] is None
    assert unknown["userErrors"][0]["field"] == ["input", "scopes"]
    assert unknown["userErrors"][0]["code"] == "INVALID"
    assert "customers:delete" in unknown["userErrors"][0]["message"]
    assert "admin" in unknown["userErrors"][0]["message"]
    empty = await create_key(owner, " ", [])
    assert {(tuple(e["field"]), e["code"]) for e in empty["userErrors"]} == {
        (("input", "name"), "REQUIRED"), (("input", "scopes"), "REQUIRED")}
    long = await create_key(owner, "x" * 101, ["exports"])
    assert long["userErrors"][0]["code"] == "INVALID"
    bad_id = (await owner.data(REVOKE, {"id": to_global_id("Customer", 1)}))["revokeApiKey"]
    assert bad_id["userErrors"][0]["code"] == "INVALID"
    assert await organization_state(org.db, org.id) == before


async def test_a_key_without_the_scope_is_refused_naming_it(staff_gql: StaffUsers,
                                                            client: httpx.AsyncClient,
                                                            org: OrgFixture) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    reader = GraphQL(client, (await create_key(owner, "BI", ["customers:read"]))["key"])
    assert (await reader.data(CUSTOMERS))["customers"]["totalCount"] == 0
    before = await organization_state(org.db, org.id)
    errors = await reader.errors(ADD_CUSTOMER)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors[0]["extensions"]["requiredScope"] == "customers:write"
    assert "`customers:write`" in errors[0]["message"]
    assert await organization_state(org.db, org.id) == before
    refused = await reader.errors(KEYS)  # no scope manages access: only owners do
    assert refused[0]["extensions"]["code"] == "FORBIDDEN"


async def last_used(org: OrgFixture, key: str) -> Any:
    async with org.db.admin_session() as session:
        return (await session.scalars(select(ApiKey.last_used_at).where(
            ApiKey.key_hash == hash_key(key)))).one()


async def set_last_used(org: OrgFixture, key: str, ago: timedelta) -> Any:
    moment = utcnow() - ago
    async with org.db.admin_session() as session:
        await session.execute(update(ApiKey).where(ApiKey.key_hash == hash_key(key))
                              .values(last_used_at=moment))
        await session.commit()
    return moment


async def test_last_used_at_moves_at_most_once_a_minute(staff_gql: StaffUsers, app: Any,
                                                        client: httpx.AsyncClient,
                                                        org: OrgFixture) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    made = await create_key(owner, "Shop", ["customers:read"])
    key_id = await key_pk(org, made["key"])
    integrator = GraphQL(client, made["key"])
    await integrator.data(CUSTOMERS)
    first = await last_used(org, made["key"])
    assert first is not None
    listed = {k["name"]: k for k in (await owner.data(KEYS))["apiKeys"]}
    assert listed["Shop"]["lastUsedAt"] is not None
    authenticator = app.state.authenticator
    recent = await set_last_used(org, made["key"], timedelta(seconds=30))
    authenticator.forget_api_key(key_id)  # as if this process's cache had expired
    await integrator.data(CUSTOMERS)
    assert await last_used(org, made["key"]) == recent  # written less than a minute ago
    stale = await set_last_used(org, made["key"], timedelta(minutes=2))
    await integrator.data(CUSTOMERS)
    assert await last_used(org, made["key"]) == stale  # served from the cache: no lookup
    authenticator.forget_api_key(key_id)
    await integrator.data(CUSTOMERS)
    assert await last_used(org, made["key"]) > stale + timedelta(minutes=1)


async def key_pk(org: OrgFixture, key: str) -> int:
    async with org.db.admin_session() as session:
        return (await session.scalars(select(ApiKey.id).where(
            ApiKey.key_hash == hash_key(key)))).one()


async def test_another_organization_can_neither_see_nor_revoke_keys(
        staff_gql: StaffUsers, client: httpx.AsyncClient, db: Any, org: OrgFixture) -> None:
    ours = await staff_gql(StaffRole.OWNER)
    made = await create_key(ours, "Ours", ["customers:read"])
    other = await create_organization(db)
    theirs = await staff_gql(StaffRole.OWNER, organization=other)
    assert [k["name"] for k in (await theirs.data(KEYS))["apiKeys"]] == ["tests"]
    before = await organization_state(db, org.id)
    refused = (await theirs.data(REVOKE, {"id": made["apiKey"]["id"]}))["revokeApiKey"]
    assert refused["apiKey"] is None
    assert refused["userErrors"][0]["code"] == "NOT_FOUND"
    assert await organization_state(db, org.id) == before
    assert (await GraphQL(client, made["key"]).data(CUSTOMERS))["customers"]["totalCount"] == 0
