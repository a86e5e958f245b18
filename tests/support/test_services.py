"""The real servers of tests/services.py start, answer, and leave nothing behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

try:  # tests/ as a plain folder on sys.path, as conftest.py has it, or as a package
    from services import (
        PostgresServer,
        RedisServer,
        ServiceError,
        ServiceUnavailable,
        port_open,
        postgres_server,
        redis_server,
    )
except ModuleNotFoundError:
    from tests.services import (  # type: ignore[no-redef]
        PostgresServer,
        RedisServer,
        ServiceError,
        ServiceUnavailable,
        port_open,
        postgres_server,
        redis_server,
    )


class TestFailedError(Exception):
    """Stands for a test that fails while a server runs."""

    __test__ = False


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    try:
        with postgres_server() as server:
            yield server
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[RedisServer]:
    try:
        with redis_server() as server:
            yield server
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))


async def test_postgres_answers_and_has_pg_trgm(pg: PostgresServer) -> None:
    assert pg.dsn == f"postgresql://postgres@127.0.0.1:{pg.port}/{pg.database}"
    conn = await asyncpg.connect(pg.dsn)
    try:
        assert await conn.fetchval("SELECT 1") == 1
        assert await conn.fetchval("SELECT current_database()") == pg.database
        assert await conn.fetchval("SHOW listen_addresses") == "127.0.0.1"
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            assert await conn.fetchval(f"SHOW {setting}") == "off"
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        assert await conn.fetchval("SELECT similarity('Müller', 'Mueller')") > 0
        assert await conn.fetchval("SELECT 'ÄBC' ILIKE 'äbc'") is True
    finally:
        await conn.close()


async def test_postgres_sqlalchemy_url(pg: PostgresServer) -> None:
    assert pg.url.startswith("postgresql+asyncpg://")
    engine = create_async_engine(pg.url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 41 + 1"))).scalar_one() == 42
    finally:
        await engine.dispose()


def test_postgres_create_database_from_template(pg: PostgresServer) -> None:
    with psycopg.connect(pg.dsn_for("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE tmpl_services")
    with psycopg.connect(pg.dsn_for("tmpl_services"), autocommit=True) as conn:
        conn.execute("CREATE TABLE marker (id int)")
        conn.execute("INSERT INTO marker VALUES (7)")
    url = pg.create_database("copy_services", template="tmpl_services")
    assert url == pg.url_for("copy_services")
    with psycopg.connect(pg.dsn_for("copy_services")) as conn:
        assert conn.execute("SELECT id FROM marker").fetchone() == (7,)
    with pytest.raises(ServiceError, match="already exists"):
        pg.create_database("copy_services")


def _check_postgres_then_fail(seen: list[PostgresServer]) -> None:
    with postgres_server() as server:
        seen.append(server)
        assert server.datadir.is_dir()
        if os.geteuid() == 0:  # root: the data dir belongs to the postgres user
            assert server.directory.stat().st_uid != 0
        assert stat.S_IMODE(server.directory.stat().st_mode) == 0o700
        with psycopg.connect(server.dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert port_open(server.port)
        raise TestFailedError("test failed")


def test_postgres_cleans_up_after_a_failure() -> None:
    seen: list[PostgresServer] = []
    try:
        with pytest.raises(TestFailedError):
            _check_postgres_then_fail(seen)
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    (server,) = seen
    assert not server.directory.exists()
    assert not port_open(server.port)


async def test_redis_answers(redis_srv: RedisServer) -> None:
    assert redis_srv.url == f"redis://127.0.0.1:{redis_srv.port}/0"
    client = aioredis.from_url(redis_srv.url)
    try:
        assert await client.ping() is True
        await client.set("greeting", "hello")
        assert await client.get("greeting") == b"hello"
        assert (await client.config_get("save"))["save"] == ""
        assert (await client.config_get("appendonly"))["appendonly"] == "no"
    finally:
        await client.aclose()


def _check_redis_then_fail(seen: list[RedisServer]) -> None:
    with redis_server() as server:
        seen.append(server)
        assert server.directory.is_dir()
        assert port_open(server.port)
        raise TestFailedError("test failed")


def test_redis_cleans_up_after_a_failure() -> None:
    seen: list[RedisServer] = []
    try:
        with pytest.raises(TestFailedError):
            _check_redis_then_fail(seen)
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    (server,) = seen
    assert not server.directory.exists()
    assert not port_open(server.port)


def test_missing_binary_skips_outside_ci_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with (
        pytest.raises(ServiceUnavailable, match="redis-server"),
        redis_server(binary=str(tmp_path / "redis-server")),
    ):
        pass
    with pytest.raises(ServiceUnavailable, match="initdb"), postgres_server(bindir=tmp_path):
        pass
    monkeypatch.setenv("CI", "true")
    with (
        pytest.raises(ServiceError, match="CI is set"),
        redis_server(binary=str(tmp_path / "redis-server")),
    ):
        pass


def test_server_that_does_not_start_shows_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\necho 'fatal: cannot start, see here'\nexit 3\n")
    fake.chmod(0o755)
    with (
        pytest.raises(ServiceError, match="cannot start, see here"),
        redis_server(binary=str(fake), timeout=5),
    ):
        pass
