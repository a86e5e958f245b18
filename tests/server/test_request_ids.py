"""Every response carries `X-Request-ID`; internal errors reach the client masked, with that ID,
and the log with the same ID and the traceback. The failures here are real: a read replica that
cannot be opened, a database that cannot be reached."""

import base64
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from resolvers.engine.errors import INTERNAL_ERROR_MESSAGE
from server.app import create_app
from server.db import Database
from server.settings import Settings

from factories import OrgFixture

QUERY = {"query": "{ customers { totalCount } }"}


def auth(org: OrgFixture, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {org.api_key}", **headers}


async def test_a_new_id_when_none_is_sent(client: httpx.AsyncClient, org: OrgFixture) -> None:
    first = await client.post("/graphql", json=QUERY, headers=auth(org))
    second = await client.get("/healthz")
    assert first.status_code == 200
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert ids[0] != ids[1]


async def test_a_sane_incoming_id_is_kept(client: httpx.AsyncClient, org: OrgFixture) -> None:
    sane = "lb-7f3a.2026:11:20_abc"
    response = await client.post("/graphql", json=QUERY,
                                 headers=auth(org, **{"X-Request-ID": sane}))
    assert response.headers["X-Request-ID"] == sane


@pytest.mark.parametrize("insane", ["x" * 65, "a b", "<script>", "id\u00e9".encode()])
async def test_an_insane_incoming_id_is_replaced(client: httpx.AsyncClient, org: OrgFixture,
                                                 insane: str | bytes) -> None:
    response = await client.post("/graphql", json=QUERY,
                                 headers={**auth(org), "X-Request-ID": insane})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


async def test_refusals_carry_an_id_too(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY)
    assert response.status_code == 401
    assert response.headers["X-Request-ID"]


@asynccontextmanager
async def app_on(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url="unused://"), db=database)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
    finally:
        await database.dispose()


def unopenable(tmp_path: Path) -> str:
    """A SQLite URL whose 'file' is a directory: SQLite cannot open it."""
    return f"sqlite+aiosqlite:///{tmp_path}"


async def test_an_internal_error_is_masked_with_the_request_id_that_the_log_has(
        database_url: str, org: OrgFixture, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    # Authentication reads the primary; the list reads a replica that cannot be opened.
    broken_replica = Database.connect(database_url, unopenable(tmp_path))
    with caplog.at_level(logging.ERROR, logger="customerhub.errors"):
        async with app_on(broken_replica) as client:
            response = await client.post("/graphql", json=QUERY,
                                         headers=auth(org, **{"X-Request-ID": "req-42"}))
    assert response.status_code == 200
    body = response.json()
    [error] = body["errors"]
    assert error["message"] == INTERNAL_ERROR_MESSAGE
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert "sqlite" not in response.text.lower()
    assert "unable" not in response.text.lower()
    [record] = [r for r in caplog.records if r.name == "customerhub.errors"]
    assert record.request_id == "req-42"  # type: ignore[attr-defined]
    assert "req-42" in record.getMessage()
    assert record.exc_info is not None
    assert "unable to open database file" in str(record.exc_info[1])


async def test_an_exception_outside_graphql_is_a_logged_500_with_the_id(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Authentication itself fails: the exception escapes Strawberry and the view.
    unreachable = Database.connect(unopenable(tmp_path))
    with caplog.at_level(logging.ERROR, logger="customerhub.errors"):
        async with app_on(unreachable) as client:
            response = await client.post("/graphql", json=QUERY,
                                         headers={"Authorization": "Bearer chk_anything"})
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert response.json() == {"errors": [{"message": INTERNAL_ERROR_MESSAGE, "extensions": {
        "code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}]}
    [record] = [r for r in caplog.records if r.name == "customerhub.errors"]
    assert request_id in record.getMessage()
    assert record.exc_info is not None


async def test_client_errors_still_say_what_to_fix(gql) -> None:
    errors = await gql.errors('{ customer(id: "not-an-id") { id } }')
    assert errors[0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR"
    assert errors[0]["message"] != INTERNAL_ERROR_MESSAGE


@pytest.mark.parametrize(("variables", "said"), [
    ({"id": None, "filter": None}, "Variable '$id' has invalid value"),
    ({"id": "x", "filter": {"orderCount": {"min": "two"}}}, ".orderCount.min: Int cannot"),
    ({"id": "x", "filter": {"registeredAt": {"from": "yesterday"}}}, "cannot represent a DateTime"),
    ({"id": "x", "filter": {"updatedAt": {"to": "last sync"}}}, "cannot represent a DateTime"),
    ({"id": "x", "filter": {"totalSpent": {"min": "ten"}}}, "cannot represent a Decimal"),
    ({"id": "x", "filter": {"types": ["VIP"]}}, "'VIP' does not exist in 'CustomerType'"),
])
async def test_a_variable_that_does_not_fit_its_type_is_named_not_masked(
        gql, caplog: pytest.LogCaptureFixture, variables: dict[str, object], said: str) -> None:
    errors = await gql.errors("""query($id: ID!, $filter: CustomerFilter) {
      customer(id: $id) { id } customers(filter: $filter) { totalCount } }""", variables)
    assert said in errors[0]["message"]
    assert errors[0]["message"] != INTERNAL_ERROR_MESSAGE
    assert not [r for r in caplog.records if r.name == "customerhub.errors"]  # not a bug


async def test_the_events_a_request_writes_carry_its_id(client: httpx.AsyncClient,
                                                        org: OrgFixture) -> None:
    customer = base64.b64encode(f"Customer:{await org.customer()}".encode()).decode()
    mutation = """mutation($input: SetConsentInput!) { setConsent(input: $input) {
      changed userErrors { field code message } } }"""
    response = await client.post("/graphql", headers=auth(org, **{"X-Request-ID": "audit-7"}),
                                 json={"query": mutation, "variables": {"input": {
                                     "customerId": customer, "subscribed": True}}})
    assert response.json()["data"]["setConsent"]["changed"] is True
    response = await client.post("/graphql", headers=auth(org), json={
        "query": "query($id: ID!) { customer(id: $id) { activity { nodes { kind requestId } } } }",
        "variables": {"id": customer}})
    entries = response.json()["data"]["customer"]["activity"]["nodes"]
    assert {"kind": "CUSTOMER_CONSENT_CHANGED", "requestId": "audit-7"} in entries
