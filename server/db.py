"""Database engines and session factories for the URL in the settings (SQLite or PostgreSQL)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from models.core.tenancy import ScopedSession, session_info
from server.settings import sqlite_path


def create_engine(url: str, *, reads: bool = False) -> AsyncEngine:
    """The engine for writes, or with `reads` the one that queries use.

    Queries run in autocommit: a read needs no transaction of its own, and BEGIN and ROLLBACK
    were two of every three round trips of the list page. Read connections are not pinged
    before use either: a connection that died (a database restart) fails one query, and the
    pool then drops every connection of that generation; writes keep the ping, so that a write
    never fails for it.
    """
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine.execution_options(isolation_level="AUTOCOMMIT") if reads else engine
    if reads:
        return create_async_engine(url, pool_size=10, max_overflow=10,
                                   isolation_level="AUTOCOMMIT")
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@dataclass
class Database:
    """The write engine and, when configured, a read replica used for queries."""

    engine: AsyncEngine
    read_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, read_url: str = "") -> "Database":
        engine = create_engine(url)
        read_engine = create_engine(read_url or url, reads=True)
        return cls(engine, read_engine, _factory(engine), _factory(read_engine))

    @asynccontextmanager
    async def admin_session(self) -> AsyncIterator[AsyncSession]:
        """A session that may touch every organization: CLI and authentication only."""
        async with self.sessions(info=session_info(all_organizations=True)) as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.read_engine.dispose()


def _factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=ScopedSession)
