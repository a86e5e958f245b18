"""Subscriptions over the WebSocket at /graphql, against the real app under uvicorn with a real
`websockets` client: the credential in `connection_init` (4401 without one or with a bad one,
4403 for callers that may not subscribe; each refusal changes nothing), the connection closed
with 4401 when its credential expires or is revoked, `exportJobUpdated` as the server's export
runner writes the job, its visibility, and the limits."""

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from websockets.exceptions import InvalidStatus

from models.access.api_keys import create_api_key, revoke_api_key
from models.access.sessions import start_session
from models.access.staff import create_staff_user
from models.core.actors import Actor
from models.core.base import utcnow
from models.core.enums import ActorKind, StaffRole
from models.core.tenancy import session_info
from models.exports.jobs import ExportFormat, ExportJob, ExportKind, ExportStatus, create_export_job
from models.organizations.stores import Store
from server import auth
from server.app import create_app
from server.credential_watch import EXPIRED, KEY_REVOKED, SESSION_ENDED, TASK_NAME
from server.db import Database
from server.settings import Settings

from environment import TEST_SECRET_KEY
from factories import OrgFixture, create_organization
from snapshots import organization_state
from websocket_client import LEGACY_WS, TRANSPORT_WS, Closed, Connection, LiveServer

LIMIT = 3
RECHECK = 0.2  # CUSTOMERHUB_SUBSCRIPTION_RECHECK_SECONDS of the live server
SOON = 2.0  # seconds: far under the Authenticator's cache, far over RECHECK
WATCH = """subscription($id: ID!) { exportJobUpdated(id: $id) {
  id status progress rowCount url error } }"""


@pytest.fixture(scope="module")
async def live(db: Database, database_url: str, export_folder: Path
               ) -> AsyncIterator[LiveServer]:
    app = create_app(Settings(database_url=database_url, count_cache_seconds=0,
                              rate_limit="1000000/minute", anonymous_rate_limit="1000000/minute",
                              export_storage=f"file://{export_folder}",
                              secret_key=TEST_SECRET_KEY, max_subscriptions_per_connection=LIMIT,
                              keep_alive_seconds=0.2, subscription_recheck_seconds=RECHECK),
                     db=db)
    server = await LiveServer.start(app, export_folder)
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def patient(db: Database, database_url: str, export_folder: Path
                  ) -> AsyncIterator[LiveServer]:
    """A server that checks credentials again only every minute, whose sign-ins' access tokens
    live 1.5 seconds: what closes a connection within a test is the expiry, scheduled for that
    moment, or a write of this process that drops the credential."""
    app = create_app(Settings(database_url=database_url, export_storage=f"file://{export_folder}",
                              secret_key=TEST_SECRET_KEY, access_token_minutes=1.5 / 60,
                              subscription_recheck_seconds=60), db=db)
    server = await LiveServer.start(app, export_folder)
    yield server
    await server.stop()


def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


async def key_with(org: OrgFixture, *scopes: str) -> str:
    async with org.db.sessions(info=session_info(org.id)) as session:
        _, plain = await create_api_key(session, org.id, "websocket", scopes)
        await session.commit()
    return plain


async def staff_token(org: OrgFixture, role: StaffRole) -> str:
    async with org.db.sessions(info=session_info(org.id)) as session:
        user = await create_staff_user(
            session, Actor.system(org.id), email=f"ws-{role.value.lower()}-{org.id}@example.es",
            password="correct horse battery", role=role,
            store_ids=(org.store_ids[0],) if role is StaffRole.MANAGER else ())
        _, access, _ = await start_session(session, org.id, ActorKind.STAFF_USER, user.id)
        await session.commit()
    return access


async def customer_token(org: OrgFixture) -> str:
    customer = await org.customer()
    async with org.db.sessions(info=session_info(org.id)) as session:
        _, access, _ = await start_session(session, org.id, ActorKind.CUSTOMER, customer)
        await session.commit()
    return access


async def new_job(org: OrgFixture, **values: Any) -> int:
    """A PENDING job of the organization (no runner is woken for it); `values` overwrite it."""
    async with org.db.sessions(info=session_info(org.id)) as session:
        job = await create_export_job(session, Actor.system(org.id), ExportKind.CUSTOMERS,
                                      ExportFormat.CSV, {"columns": ["EMAIL"]})
        if values:
            await session.execute(update(ExportJob).where(ExportJob.id == job.id)
                                  .values(**values))
        await session.commit()
        return job.id


async def connected(live: LiveServer, credential: str, protocol: str = TRANSPORT_WS
                    ) -> Connection:
    connection = await Connection.open(live.url, protocol)
    ack = await connection.init({"Authorization": f"Bearer {credential}"})
    assert ack["type"] == "connection_ack", ack
    return connection


# --- the credential ------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Authorization", "authorization"])
async def test_an_api_key_with_the_subscriptions_scope_is_accepted(
        live: LiveServer, org: OrgFixture, header: str) -> None:
    connection = await Connection.open(live.url)
    key = await key_with(org, "subscriptions", "exports")
    assert (await connection.init({header: f"Bearer {key}"}))["type"] == "connection_ack"
    await connection.close()


@pytest.mark.parametrize("role", [StaffRole.OWNER, StaffRole.VIEWER])
async def test_a_staff_access_token_is_accepted(live: LiveServer, org: OrgFixture,
                                                role: StaffRole) -> None:
    connection = await connected(live, await staff_token(org, role))
    await connection.close()


async def refused(live: LiveServer, org: OrgFixture, payload: dict[str, Any] | None,
                  protocol: str = TRANSPORT_WS) -> tuple[Closed, Connection]:
    """Open, init with `payload`, then try to subscribe: the close, and that nothing changed."""
    job = await new_job(org)
    before = await organization_state(org.db, org.id)
    connection = await Connection.open(live.url, protocol)
    await connection.send({"type": "connection_init", "payload": payload})
    closed = await connection.closed()
    assert not any(m.get("type") in ("next", "data", "connection_ack")
                   for m in connection.received), connection.received
    assert await organization_state(org.db, org.id) == before
    async with org.db.admin_session() as session:
        row = await session.get(ExportJob, job)
        assert row is not None
        assert row.status is ExportStatus.PENDING
    return closed, connection


async def test_no_credential_is_closed_with_4401_saying_what_to_send(
        live: LiveServer, org: OrgFixture) -> None:
    closed, _ = await refused(live, org, {})
    assert closed.code == 4401
    assert '{"Authorization": "Bearer <access token or API key>"}' in closed.reason


@pytest.mark.parametrize("credential", ["Bearer chk_not_a_key", "Bearer cha_expired", "Basic x"])
async def test_a_bad_credential_is_closed_with_4401(live: LiveServer, org: OrgFixture,
                                                    credential: str) -> None:
    closed, _ = await refused(live, org, {"Authorization": credential})
    assert closed.code == 4401, closed
    assert closed.reason


async def test_a_key_without_the_subscriptions_scope_is_closed_with_4403(
        live: LiveServer, org: OrgFixture) -> None:
    key = await key_with(org, "customers:read", "exports")
    closed, _ = await refused(live, org, {"Authorization": f"Bearer {key}"})
    assert (closed.code, closed.reason) == (4403, "This API key lacks the scope `subscriptions`.")


async def test_a_customer_token_is_closed_with_4403(live: LiveServer, org: OrgFixture) -> None:
    token = await customer_token(org)
    closed, _ = await refused(live, org, {"Authorization": f"Bearer {token}"})
    assert closed.code == 4403
    assert "customer" in closed.reason


async def test_graphql_ws_refuses_with_the_same_codes(live: LiveServer, org: OrgFixture) -> None:
    closed, connection = await refused(live, org, {}, protocol=LEGACY_WS)
    assert closed.code == 4401
    assert connection.received[0]["type"] == "connection_error"


async def test_an_authorization_header_on_the_handshake_is_not_the_credential(
        live: LiveServer, org: OrgFixture) -> None:
    connection = await Connection.open(live.url, headers={"Authorization": f"Bearer {org.api_key}"})
    await connection.send({"type": "connection_init", "payload": {}})
    closed = await connection.closed()
    assert closed.code == 4401
    assert connection.received == []


async def test_nothing_reaches_the_schema_before_the_credential_is_accepted(
        live: LiveServer, org: OrgFixture) -> None:
    job = await new_job(org)
    connection = await Connection.open(live.url)
    await connection.subscribe("1", WATCH, {"id": gid("ExportJob", job)})
    closed = await connection.closed()
    assert closed.code == 4401
    assert not any(m.get("type") == "next" for m in connection.received)
    assert not any(str(job) in str(m) or gid("ExportJob", job) in str(m)
                   for m in connection.received)


async def test_a_connection_and_each_operation_count_against_the_callers_rate_limit(
        db: Database, database_url: str, export_folder: Path, org: OrgFixture) -> None:
    app = create_app(Settings(database_url=database_url, rate_limit="3/minute",
                              export_storage=f"file://{export_folder}",
                              secret_key=TEST_SECRET_KEY), db=db)
    server = await LiveServer.start(app, export_folder)
    job = {"id": gid("ExportJob", await new_job(org))}
    try:
        first = await connected(server, org.api_key)  # 1
        await first.subscribe("1", WATCH, job)  # 2
        assert (await first.next_message())["type"] == "next"
        second = await connected(server, org.api_key)  # 3
        await second.subscribe("2", WATCH, job)  # 4: over
        refusal = await second.next_message()
        assert refusal["type"] == "error", refusal
        assert refusal["payload"][0]["extensions"] == {"code": "RATE_LIMITED"}
        assert "3/minute" in refusal["payload"][0]["message"]
        third = await Connection.open(server.url)
        with pytest.raises(Closed) as closed:
            await third.init({"Authorization": f"Bearer {org.api_key}"})
        assert closed.value.code == 4429
        assert "3/minute" in closed.value.reason
        await first.close()
        await second.close()
    finally:
        await server.stop()


# --- exportJobUpdated ----------------------------------------------------------------------

async def test_export_job_updated_follows_a_real_export_until_it_succeeds(
        live: LiveServer, org: OrgFixture) -> None:
    await org.customer()
    runner = live.app.state.exports
    connection = await connected(live, org.api_key)
    live.storage.gate.clear()
    try:
        async with runner._lock:  # no runner takes the job before its PENDING state is seen
            job = await new_job(org)
            await connection.subscribe("w", WATCH, {"id": gid("ExportJob", job)})
            first = await connection.next_message()
        assert first["payload"]["data"]["exportJobUpdated"]["status"] == "PENDING", first
        runner.wake(org.id)
        seen = [first]
        for _ in range(20):
            message = await connection.next_message()
            seen.append(message)
            if message["payload"]["data"]["exportJobUpdated"]["status"] == "RUNNING":
                break
    finally:
        live.storage.gate.set()
    rest = await connection.results("w")
    assert rest[-1] == {"id": "w", "type": "complete"}, rest
    states = [m["payload"]["data"]["exportJobUpdated"] for m in seen + rest[:-1]]
    statuses = [s["status"] for s in states]
    assert [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s] == [
        "PENDING", "RUNNING", "SUCCEEDED"], states
    done = states[-1]
    assert (done["progress"], done["rowCount"]) == (100, 1), done
    assert done["url"].startswith(f"{live.http_url}/exports/"), done
    async with httpx.AsyncClient() as client:
        assert (await client.get(done["url"])).status_code == 200
    await connection.close()


async def test_a_settled_job_is_sent_once_and_the_stream_ends(live: LiveServer,
                                                              org: OrgFixture) -> None:
    job = await new_job(org, status=ExportStatus.FAILED, error="disk full")
    connection = await connected(live, org.api_key, LEGACY_WS)
    await connection.subscribe("1", WATCH, {"id": gid("ExportJob", job)})
    messages = await connection.results("1")
    assert [m["type"] for m in messages] == ["data", "complete"]
    assert messages[0]["payload"]["data"]["exportJobUpdated"]["error"] == "disk full"
    await connection.close()


async def test_another_organizations_job_is_not_found(live: LiveServer, db: Database,
                                                      org: OrgFixture) -> None:
    theirs = await create_organization(db)
    job = await new_job(theirs)
    connection = await connected(live, org.api_key)
    for operation, job_id in (("theirs", gid("ExportJob", job)),
                              ("unknown", gid("ExportJob", 10**9))):
        await connection.subscribe(operation, WATCH, {"id": job_id})
        messages = await connection.results(operation)
        assert [m["type"] for m in messages] == ["next", "complete"], messages
        payload = messages[0]["payload"]
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["NOT_FOUND"], messages
        assert not (payload.get("data") or {}).get("exportJobUpdated"), messages
    await connection.close()


async def test_a_manager_sees_only_jobs_made_within_their_stores(live: LiveServer,
                                                                 org: OrgFixture) -> None:
    owners = await new_job(org)
    within = await new_job(org, input={"columns": ["EMAIL"], "store_scope": [org.store_ids[0]]})
    connection = await connected(live, await staff_token(org, StaffRole.MANAGER))
    await connection.subscribe("owner's", WATCH, {"id": gid("ExportJob", owners)})
    messages = await connection.results("owner's")
    assert messages[0]["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND", messages
    await connection.subscribe("mine", WATCH, {"id": gid("ExportJob", within)})
    first = await connection.next_message()
    assert first["payload"]["data"]["exportJobUpdated"]["status"] == "PENDING", first
    await connection.close()


# --- limits --------------------------------------------------------------------------------

async def test_at_most_the_limit_of_subscriptions_per_connection(live: LiveServer,
                                                                 org: OrgFixture) -> None:
    """Jobs another process is running (its heartbeat is fresh) keep their streams open."""
    jobs = [await new_job(org, status=ExportStatus.RUNNING, runner_id="elsewhere",
                          heartbeat_at=utcnow()) for _ in range(LIMIT + 1)]
    connection = await connected(live, org.api_key)
    for n, job in enumerate(jobs[:LIMIT]):
        await connection.subscribe(str(n), WATCH, {"id": gid("ExportJob", job)})
        assert (await connection.next_message())["type"] == "next"
    await connection.subscribe("over", WATCH, {"id": gid("ExportJob", jobs[LIMIT])})
    refusal = await connection.next_message()
    assert (refusal["type"], refusal["id"]) == ("error", "over"), refusal
    error = refusal["payload"][0]
    assert error["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": LIMIT}
    assert f"At most {LIMIT} subscriptions" in error["message"]
    assert "CUSTOMERHUB_MAX_SUBSCRIPTIONS_PER_CONNECTION" in error["message"]
    await connection.send({"id": "0", "type": "complete"})  # one ends: there is room again
    await asyncio.sleep(0.1)
    await connection.subscribe("again", WATCH, {"id": gid("ExportJob", jobs[LIMIT])})
    assert (await connection.next_message())["type"] == "next"
    await connection.close()


async def test_the_query_limits_apply_to_subscriptions(live: LiveServer, org: OrgFixture) -> None:
    job = await new_job(org)
    connection = await connected(live, org.api_key)
    aliases = " ".join(f"a{n}: id" for n in range(31))  # CUSTOMERHUB_MAX_ALIASES is 30
    await connection.subscribe("aliased", "subscription($id: ID!) { exportJobUpdated(id: $id) "
                               f"{{ {aliases} }} }}", {"id": gid("ExportJob", job)})
    messages = await connection.results("aliased")
    assert [m["type"] for m in messages] == ["error"], messages
    assert [e["extensions"]["code"] for e in messages[0]["payload"]] == ["TOO_MANY_ALIASES"]
    await connection.close()


async def test_transport_ws_connections_get_keep_alive_pings(live: LiveServer,
                                                             org: OrgFixture) -> None:
    connection = await connected(live, org.api_key)
    await asyncio.sleep(0.5)
    await connection.subscribe("1", WATCH, {"id": gid("ExportJob", 0)})
    await connection.results("1")
    assert any(m["type"] == "ping" for m in connection.received), connection.received
    await connection.close()


def test_the_subscription_settings_are_read_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUSTOMERHUB_MAX_SUBSCRIPTIONS_PER_CONNECTION", raising=False)
    assert Settings.from_env().max_subscriptions_per_connection == 20
    monkeypatch.setenv("CUSTOMERHUB_MAX_SUBSCRIPTIONS_PER_CONNECTION", "5")
    monkeypatch.setenv("CUSTOMERHUB_KEEP_ALIVE_SECONDS", "2.5")
    settings = Settings.from_env()
    assert (settings.max_subscriptions_per_connection, settings.keep_alive_seconds) == (5, 2.5)


async def test_a_query_over_the_socket_reads_afresh_after_the_last_one_ended(
        live: LiveServer, org: OrgFixture) -> None:
    """The connection's loaders are cleared as each operation ends (server/subscriptions.py)."""
    customer = await org.customer(main_store_id=org.store_ids[0])
    query = "query($id: ID!) { customer(id: $id) { mainStore { name } } }"
    connection = await connected(live, org.api_key)
    names = []
    for n in range(2):
        await connection.subscribe(str(n), query, {"id": gid("Customer", customer)})
        messages = await connection.results(str(n))
        names.append(messages[0]["payload"]["data"]["customer"]["mainStore"]["name"])
        async with org.db.admin_session() as session:
            await session.execute(update(Store).where(Store.id == org.store_ids[0])
                                  .values(name="Madrid Centro"))
            await session.commit()
    assert names == ["Madrid", "Madrid Centro"]
    await connection.close()


async def test_a_page_of_another_origin_may_not_open_the_socket(live: LiveServer) -> None:
    """Only the admin app's origins (`CUSTOMERHUB_CORS_ORIGINS`, none here) and clients that
    are not browsers (no `Origin`) may connect."""
    with pytest.raises(InvalidStatus) as refused_handshake:
        await Connection.open(live.url, headers={"Origin": "https://elsewhere.example"})
    assert refused_handshake.value.response.status_code == 403


# --- the connection ends when its credential does ------------------------------------------

SIGN_OUT = "mutation { signOut(input: {}) { signedOut userErrors { message } } }"
REVOKE = """mutation($id: ID!) { revokeApiKey(input: {id: $id}) {
  apiKey { revokedAt } userErrors { message } } }"""
UPDATE_STAFF_USER = """mutation($input: UpdateStaffUserInput!) { updateStaffUser(input: $input) {
  staffUser { id } userErrors { message } } }"""
SIGN_IN = """mutation($input: SignInInput!) { signIn(input: $input) {
  accessToken accessTokenExpiresAt userErrors { message } } }"""


async def subscriber_key(org: OrgFixture) -> tuple[int, str]:
    """A key that may subscribe: its id and the key."""
    async with org.db.sessions(info=session_info(org.id)) as session:
        row, plain = await create_api_key(session, org.id, "watched", ["subscriptions", "exports"])
        await session.commit()
    return row.id, plain


async def over_http(live: LiveServer, credential: str | None, query: str,
                    variables: dict[str, Any] | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    async with httpx.AsyncClient(base_url=live.http_url, timeout=10) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables},
                                     headers=headers)
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def watching(connection: Connection, org: OrgFixture) -> int:
    """Subscribe to a job another process is running, whose stream stays open; its first
    event has come."""
    job = await new_job(org, status=ExportStatus.RUNNING, runner_id="elsewhere",
                        heartbeat_at=utcnow())
    await connection.subscribe("watch", WATCH, {"id": gid("ExportJob", job)})
    first = await connection.next_message()
    assert first["payload"]["data"]["exportJobUpdated"]["status"] == "RUNNING", first
    return job


async def closed_within(connection: Connection, seconds: float) -> Closed:
    return await asyncio.wait_for(connection.closed(), seconds)


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_key_revoked_with_revoke_api_key_closes_its_connection_at_once(
        patient: LiveServer, org: OrgFixture, protocol: str) -> None:
    key_id, key = await subscriber_key(org)
    connection = await connected(patient, key, protocol)
    await watching(connection, org)
    owner = await staff_token(org, StaffRole.OWNER)
    revoked = (await over_http(patient, owner, REVOKE, {"id": gid("ApiKey", key_id)}))
    assert revoked["revokeApiKey"]["userErrors"] == [], revoked
    closed = await closed_within(connection, SOON)
    assert (closed.code, closed.reason) == (4401, KEY_REVOKED)


async def test_a_key_revoked_by_another_process_closes_within_the_recheck_period(
        live: LiveServer, org: OrgFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the CLI revokes: nothing tells this process, whose cache has let the key go (as it
    does within `CACHE_SECONDS`): the periodic check finds it revoked."""
    monkeypatch.setattr(auth, "CACHE_SECONDS", 0)
    key_id, key = await subscriber_key(org)
    connection = await connected(live, key)
    await watching(connection, org)
    async with org.db.sessions(info=session_info(org.id)) as session:
        await revoke_api_key(session, Actor.system(org.id), key_id)
        await session.commit()
    closed = await closed_within(connection, SOON)
    assert (closed.code, closed.reason) == (4401, KEY_REVOKED)


async def test_sign_out_closes_the_sessions_connection_at_once(patient: LiveServer,
                                                               org: OrgFixture) -> None:
    token = await staff_token(org, StaffRole.OWNER)  # lives 15 minutes
    connection = await connected(patient, token, LEGACY_WS)
    await watching(connection, org)
    assert (await over_http(patient, token, SIGN_OUT))["signOut"]["signedOut"] is True
    closed = await closed_within(connection, SOON)
    assert (closed.code, closed.reason) == (4401, SESSION_ENDED)


async def test_a_staff_access_token_closes_its_connection_when_it_expires(
        patient: LiveServer, org: OrgFixture) -> None:
    """At the expiry itself: the server's re-check period is a minute."""
    async with org.db.sessions(info=session_info(org.id)) as session:
        user = await create_staff_user(
            session, Actor.system(org.id), email=f"ws-expiry-{org.id}@example.es",
            password="correct horse battery", role=StaffRole.OWNER)
        await session.commit()
    signed_in = (await over_http(patient, None, SIGN_IN, {"input": {
        "organization": org.slug, "email": user.email,
        "password": "correct horse battery"}}))["signIn"]
    expires_at = datetime.fromisoformat(signed_in["accessTokenExpiresAt"])
    connection = await connected(patient, signed_in["accessToken"])
    await watching(connection, org)
    closed = await closed_within(connection, 5)
    assert (closed.code, closed.reason) == (4401, EXPIRED)
    late = (utcnow() - expires_at).total_seconds()
    assert -0.1 <= late < 1.0, late


async def test_a_staff_users_new_role_keeps_the_connection_and_disabling_closes_it(
        patient: LiveServer, org: OrgFixture) -> None:
    """Both writes drop the user's sessions from the cache, and so check the connection again at
    once: the first still resolves (the role applies to the next connection), the second not."""
    async with org.db.sessions(info=session_info(org.id)) as session:
        user = await create_staff_user(
            session, Actor.system(org.id), email=f"ws-disabled-{org.id}@example.es",
            password="correct horse battery", role=StaffRole.VIEWER)
        _, token, _ = await start_session(session, org.id, ActorKind.STAFF_USER, user.id)
        await session.commit()
    owner = await staff_token(org, StaffRole.OWNER)
    connection = await connected(patient, token)
    for change in ({"role": "OWNER"}, {"disabled": True}):
        updated = await over_http(patient, owner, UPDATE_STAFF_USER, {"input": {
            "id": gid("StaffUser", user.id), **change}})
        assert updated["updateStaffUser"]["userErrors"] == [], updated
        if "role" in change:
            await asyncio.sleep(4 * RECHECK)  # time to check again, and find it still valid
            await connection.subscribe("1", "{ __typename }")
            assert (await connection.results("1"))[0]["type"] == "next"
    closed = await closed_within(connection, SOON)
    assert (closed.code, closed.reason) == (4401, SESSION_ENDED)


@pytest.mark.parametrize("credential", ["key", "staff"])
async def test_a_valid_credential_keeps_its_connection_across_rechecks(
        live: LiveServer, org: OrgFixture, monkeypatch: pytest.MonkeyPatch,
        credential: str) -> None:
    """Each check reads the database (no cache here); the subscription goes on meanwhile, and
    once the connection ends its watch is gone."""
    monkeypatch.setattr(auth, "CACHE_SECONDS", 0)
    authenticator = live.app.state.authenticator
    checks = 0
    identify = authenticator.identify

    async def counted(authorization: str | None) -> auth.Identity:
        nonlocal checks
        checks += 1
        return await identify(authorization)

    monkeypatch.setattr(authenticator, "identify", counted)
    token = (await subscriber_key(org))[1] if credential == "key" else await staff_token(
        org, StaffRole.OWNER)
    connection = await connected(live, token)
    job = await watching(connection, org)
    start = checks
    await asyncio.sleep(6 * RECHECK)
    assert checks - start >= 3, checks - start
    async with org.db.admin_session() as session:
        await session.execute(update(ExportJob).where(ExportJob.id == job).values(progress=40))
        await session.commit()
    moved = await connection.next_message()
    assert moved["payload"]["data"]["exportJobUpdated"]["progress"] == 40, moved
    await connection.close()
    for _ in range(100):
        watches = [t for t in asyncio.all_tasks() if t.get_name() == TASK_NAME]
        if not watches and authenticator.listening == 0:
            break
        await asyncio.sleep(0.05)
    assert (watches, authenticator.listening) == ([], 0)


def test_the_recheck_period_is_read_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUSTOMERHUB_SUBSCRIPTION_RECHECK_SECONDS", raising=False)
    assert Settings.from_env().subscription_recheck_seconds == 30
    monkeypatch.setenv("CUSTOMERHUB_SUBSCRIPTION_RECHECK_SECONDS", "0.5")
    assert Settings.from_env().subscription_recheck_seconds == 0.5
