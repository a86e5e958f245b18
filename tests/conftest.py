"""Fixtures: one real database per test session (SQLite, or PostgreSQL started on 127.0.0.1 by
`services.py`, chosen by `CUSTOMERHUB_TEST_DATABASE`), migrated once; an organization of its own
for every test; and an HTTP client on the real ASGI app."""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from server.app import create_app
from server.db import Database
from server.migrate import upgrade
from server.settings import Settings

from factories import OrgFixture, create_organization
from services import ServiceUnavailable, postgres_server

BACKEND = os.environ.get("CUSTOMERHUB_TEST_DATABASE", "sqlite")


def pytest_report_header() -> str:
    return f"customerhub database backend: {BACKEND}"


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
def app(db: Database, database_url: str) -> Any:
    return create_app(Settings(database_url=database_url), db=db)


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
    event.listen(db.engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine.sync_engine, "before_cursor_execute", counter)


ROOT = Path(__file__).resolve().parent.parent
