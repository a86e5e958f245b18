"""What every resolver knows about the request: who acts, for which organization, and how to
reach the database. `server/` builds it; resolvers only read it."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.actors import Actor
from models.tenancy import session_info
from resolvers.count_cache import CountCache

if TYPE_CHECKING:
    from resolvers.dataloaders import DataLoaders


@dataclass(frozen=True, slots=True)
class OrganizationProfile:
    """The organization settings that reads need on almost every request."""

    id: int
    slug: str
    name: str
    currency: str
    default_country: str
    timezone: str


@dataclass
class Context:
    actor: Actor
    organization: OrganizationProfile
    read_sessions: async_sessionmaker[AsyncSession]
    write_sessions: async_sessionmaker[AsyncSession]
    max_page_size: int = 250
    # Called after a write changed the organization's settings, so that cached profiles of it
    # (server/auth.py) are dropped.
    on_organization_changed: Callable[[int], None] = lambda _organization_id: None
    # Totals of customer lists, shared by the requests of one process (off unless given).
    counts: CountCache = field(default_factory=lambda: CountCache(0))
    loaders: "DataLoaders" = field(init=False)

    def __post_init__(self) -> None:
        from resolvers.dataloaders import DataLoaders

        self.loaders = DataLoaders(self)

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A short session scoped to the organization; one per root field or loader batch."""
        async with self.read_sessions(info=session_info(self.organization.id)) as session:
            yield session

    @asynccontextmanager
    async def write_session(self) -> AsyncIterator[AsyncSession]:
        """A session on the primary, scoped to the organization; the caller commits."""
        try:
            async with self.write_sessions(info=session_info(self.organization.id)) as session:
                yield session
        finally:
            self.counts.forget_organization(self.organization.id)


Info = strawberry.Info[Context, None]
