"""Fixtures: one real database per test session (SQLite, or PostgreSQL started on 127.0.0.1 by
`services.py`, chosen by `CUSTOMERHUB_TEST_DATABASE`), migrated once; an organization of its own
for every test; and an HTTP client on the real ASGI app."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.core.actors import Actor
from models.core.enums import ActorKind, StaffRole
from server.app import create_app
from server.db import Database
from server.migrate import upgrade
from server.settings import Settings

from clients import ActorGraphQL, GraphQL, StaffUsers
from environment import BACKEND, TEST_SECRET_KEY
from factories import OrgFixture, create_organization
from services import ServiceUnavailable, postgres_server


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


@pytest.fixture(scope="session")
def export_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="session")
def app(db: Database, database_url: str, export_folder: Path) -> Any:
    # Totals are not cached here: tests write through factories, as another process would.
    # The whole suite shares this app and one client address: budgets that no test reaches
    # (tests/server/test_rate_limit.py tests the limits on apps of its own).
    return create_app(Settings(database_url=database_url, count_cache_seconds=0,
                               rate_limit="1000000/minute", anonymous_rate_limit="1000000/minute",
                               export_storage=f"file://{export_folder}",
                               secret_key=TEST_SECRET_KEY),
                      db=db)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def gql(client: httpx.AsyncClient, org: OrgFixture) -> GraphQL:
    return GraphQL(client, org.api_key)


@pytest.fixture
def staff_gql(client: httpx.AsyncClient, org: OrgFixture) -> StaffUsers:
    """Staff users of `org` (or of another organization) signed in over HTTP."""
    return StaffUsers(client, org)


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


