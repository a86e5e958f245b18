"""Fixtures: one real database per test session (SQLite, or PostgreSQL started on 127.0.0.1 by
`services.py`, chosen by `CUSTOMERHUB_TEST_DATABASE`), migrated once; an organization of its own
for every test; and an HTTP client on the real ASGI app."""

import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from models.access.staff import create_staff_user
from models.core.actors import Actor
from models.core.enums import ActorKind, StaffRole
from models.core.tenancy import session_info
from models.organizations.table import Organization
from resolvers.context import Context, OrganizationProfile
from resolvers.schema import schema
from server.app import create_app
from server.db import Database
from server.migrate import upgrade
from server.settings import Settings

from factories import OrgFixture, create_organization
from services import ServiceUnavailable, postgres_server, redis_server

_serial = itertools.count(1)
BACKEND = os.environ.get("CUSTOMERHUB_TEST_DATABASE", "sqlite")


def pytest_report_header() -> str:
    return f"customerhub database backend: {BACKEND}"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Argon2 with its smallest parameters: the suite makes and checks many passwords, and tests
    which hash is checked, never how long it takes (the defaults cost ~0.1 s of CPU each)."""
    import argon2

    from models.access import passwords

    cheap = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", cheap)
        patch.setattr(passwords, "_DUMMY_HASH", cheap.hash("not-a-real-password"))
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKEND == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    elif BACKEND == "postgresql":
        try:
            with postgres_server() as server:
                yield server.url
        except ServiceUnavailable as missing:
            pytest.skip(str(missing))
    else:
        raise ValueError(f"CUSTOMERHUB_TEST_DATABASE={BACKEND!r}: use sqlite or postgresql")


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[Database]:
    await upgrade(database_url)
    database = Database.connect(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def org(db: Database) -> OrgFixture:
    """A fresh organization with three stores and an API key: no test sees another's data."""
    return await create_organization(db)


TEST_SECRET_KEY = "test-secret-key-for-download-links"


@pytest.fixture(scope="session")
def export_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="session")
def app(db: Database, database_url: str, export_folder: Path) -> Any:
    # Totals are not cached here: tests write through factories, as another process would.
    # The whole suite shares this app and one client address: budgets that no test reaches
    # (tests/test_rate_limit.py tests the limits on apps of its own).
    return create_app(Settings(database_url=database_url, count_cache_seconds=0,
                               rate_limit="1000000/minute", anonymous_rate_limit="1000000/minute",
                               export_storage=f"file://{export_folder}",
                               secret_key=TEST_SECRET_KEY),
                      db=db)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server on 127.0.0.1 for the session (skipped when not installed)."""
    try:
        with redis_server() as server:
            yield server.url
    except ServiceUnavailable as missing:
        pytest.skip(str(missing))


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class GraphQL:
    """Posts operations as one API key and returns `data`, failing loudly on errors."""

    def __init__(self, client: httpx.AsyncClient, api_key: str) -> None:
        self.client = client
        self.api_key = api_key

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.api_key}"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.post(query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def errors(self, query: str, variables: dict[str, Any] | None = None
                     ) -> list[dict[str, Any]]:
        body = await self.post(query, variables)
        assert body.get("errors"), body
        errors: list[dict[str, Any]] = body["errors"]
        return errors


@pytest.fixture
def gql(client: httpx.AsyncClient, org: OrgFixture) -> GraphQL:
    return GraphQL(client, org.api_key)


SIGN_IN = """mutation($input: SignInInput!) { signIn(input: $input) {
  accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
  user { id email role grants stores { id } } userErrors { field code message } } }"""


class StaffGraphQL(GraphQL):
    """Posts operations over HTTP as a signed-in staff user, with its real access token."""

    def __init__(self, client: httpx.AsyncClient, signed_in: dict[str, Any], email: str,
                 password: str) -> None:
        super().__init__(client, signed_in["accessToken"])  # sent as the bearer credential
        self.access_token: str = signed_in["accessToken"]
        self.refresh_token: str = signed_in["refreshToken"]
        self.user: dict[str, Any] = signed_in["user"]
        self.email = email
        self.password = password


@dataclass
class StaffUsers:
    """`await staff_gql(StaffRole.MANAGER, stores=[org.store_ids[0]])`: makes a staff user of
    the organization (through the same rule as the API) and signs it in over HTTP."""

    client: httpx.AsyncClient
    org: OrgFixture

    async def create(self, role: StaffRole, *, stores: Collection[int] = (),
                     grants: Collection[str] = (), organization: OrgFixture | None = None,
                     password: str = "correct horse battery") -> tuple[str, str]:
        """(email, password) of a new staff user, not signed in."""
        target = organization or self.org
        async with target.db.sessions(info=session_info(target.id)) as session:
            user = await create_staff_user(
                session, Actor.system(target.id), email=f"{role.value.lower()}-{next(_serial)}"
                "@staff.example", password=password, role=role, store_ids=stores,
                grants=grants)
            await session.commit()
        return user.email, password

    async def sign_in(self, email: str, password: str, organization: OrgFixture | None = None
                      ) -> StaffGraphQL:
        slug = (organization or self.org).slug
        response = await self.client.post("/graphql", json={"query": SIGN_IN, "variables": {
            "input": {"organization": slug, "email": email, "password": password}}})
        payload = response.json()["data"]["signIn"]
        assert payload["userErrors"] == [], payload
        return StaffGraphQL(self.client, payload, email, password)

    async def __call__(self, role: StaffRole = StaffRole.OWNER, *, stores: Collection[int] = (),
                       grants: Collection[str] = (), organization: OrgFixture | None = None
                       ) -> StaffGraphQL:
        email, password = await self.create(role, stores=stores, grants=grants,
                                             organization=organization)
        return await self.sign_in(email, password, organization)


@pytest.fixture
def staff_gql(client: httpx.AsyncClient, org: OrgFixture) -> StaffUsers:
    """Staff users of `org` (or of another organization) signed in over HTTP."""
    return StaffUsers(client, org)


class ActorGraphQL(GraphQL):
    """Runs operations in process as any actor (owner, manager, customer...), through the same
    schema and context as the server, for callers whose credentials the test need not mint."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.organization: OrganizationProfile | None = None

    def forget_organization(self, _organization_id: int) -> None:
        self.organization = None  # as the server's authenticator does: reload on next request

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.organization is None:
            self.organization = await organization_profile(self.db, self.actor.organization_id)
        context = Context(actor=self.actor, organization=self.organization,
                          read_sessions=self.db.read_sessions, write_sessions=self.db.sessions,
                          on_organization_changed=self.forget_organization)
        result = await schema.execute(query, variables, context_value=context)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return body


async def organization_profile(db: Database, organization_id: int) -> OrganizationProfile:
    async with db.admin_session() as session:
        row = await session.get(Organization, organization_id)
        assert row is not None
        return OrganizationProfile(
            id=row.id, slug=row.slug, name=row.name, currency=row.currency,
            default_country=row.default_country, timezone=row.timezone)


@pytest.fixture
async def as_actor(db: Database) -> Callable[[Actor], Awaitable[ActorGraphQL]]:
    """`await as_actor(Actor(...))`: an in-process client acting as that actor."""

    async def make(actor: Actor) -> ActorGraphQL:
        return ActorGraphQL(db, actor)

    return make


@pytest.fixture
async def owner_gql(org: OrgFixture, as_actor: Callable[[Actor], Awaitable[ActorGraphQL]]
                    ) -> ActorGraphQL:
    """The organization's owner (a staff user), in process."""
    return await as_actor(Actor(organization_id=org.id, kind=ActorKind.STAFF_USER, id="owner",
                                role=StaffRole.OWNER))


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def sql_counter(db: Database) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    engines = {db.engine.sync_engine, db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", counter)
    yield counter
    for engine in engines:
        event.remove(engine, "before_cursor_execute", counter)


ROOT = Path(__file__).resolve().parent.parent
