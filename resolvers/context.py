"""What every resolver knows about the request: who acts, for which organization, how to reach
the database, and the request's loaders. `resolvers/request_context.py` builds it (with its
loaders) for the server and the tests; resolvers only read it."""

import asyncio
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import exports
from models.access.permissions import Permission, allows
from models.access.sessions import TokenLifetimes
from models.core.actors import Actor
from models.core.enums import ActorKind
from models.core.tenancy import ReadScope, session_info
from resolvers.dataloaders import DataLoaders
from resolvers.engine.count_cache import CountCache


@dataclass(frozen=True, slots=True)
class OrganizationProfile:
    """The organization settings that reads need on almost every request."""

    id: int
    slug: str
    name: str
    currency: str
    default_country: str
    timezone: str


class CredentialCache(Protocol):
    """The server's per-process cache of resolved credentials (server/auth.py). A write that
    ends or changes a credential drops its entries, so that it takes effect at once in this
    process (other processes follow within the cache's few seconds)."""

    def forget_organization(self, organization_id: int) -> None: ...
    def forget_session(self, auth_session_id: int) -> None: ...
    def forget_api_key(self, key_id: int) -> None: ...
    def forget_subject(self, kind: ActorKind, subject_id: int) -> None: ...


class NoCredentialCache:
    """For contexts built without a server (tests in process, scripts)."""

    def forget_organization(self, organization_id: int) -> None:
        pass

    def forget_session(self, auth_session_id: int) -> None:
        pass

    def forget_api_key(self, key_id: int) -> None:
        pass

    def forget_subject(self, kind: ActorKind, subject_id: int) -> None:
        pass


class ExportJobs(Protocol):
    """The server's export runner as a request sees it (server/exports.py)."""

    def wake(self, organization_id: int) -> None:
        """New PENDING jobs are waiting: start them while the organization has free slots."""
        ...

    async def link(self, job: exports.ExportJob) -> str | None:
        """The job's download link while its file is there."""
        ...

    def scratch_folder(self) -> Path:
        """Where a request writes a file that `keep_report` then stores."""
        ...

    async def keep_report(self, actor: Actor, local: Path, rows: int) -> str | None:
        """Store an import's report (a CSV file in `scratch_folder`, moved away) as an export's
        file is kept; its signed download link."""
        ...


class NoExportJobs:
    """For contexts built without a server: jobs stay PENDING and have no link."""

    def wake(self, organization_id: int) -> None:
        pass

    async def link(self, job: exports.ExportJob) -> str | None:
        return None

    def scratch_folder(self) -> Path:
        return Path(tempfile.gettempdir())

    async def keep_report(self, actor: Actor, local: Path, rows: int) -> str | None:
        await asyncio.to_thread(local.unlink, missing_ok=True)
        return None


Throttle = Callable[[str, int, int], Awaitable[int | None]]


async def _unlimited() -> None:
    return None


class CodeSender(Protocol):
    """Delivers a customer's one-time code to a phone (E.164) or an email (with `@`);
    server/code_senders.py has the kinds."""

    async def send_code(self, organization: str, destination: str, code: str,
                        expires_at: datetime) -> None: ...


@dataclass
class Context:
    actor: Actor
    organization: OrganizationProfile
    read_sessions: async_sessionmaker[AsyncSession]
    write_sessions: async_sessionmaker[AsyncSession]
    loaders: DataLoaders
    max_page_size: int = 250
    # Called after a write changed the organization's settings, so that cached profiles of it
    # (server/auth.py) are dropped.
    on_organization_changed: Callable[[int], None] = lambda _organization_id: None
    # Totals of customer lists, shared by the requests of one process (off unless given).
    counts: CountCache = field(default_factory=lambda: CountCache(0))
    credentials: CredentialCache = field(default_factory=NoCredentialCache)
    # The sign-in session behind an access token (staff users, customers), for `signOut`.
    auth_session_id: int | None = None
    token_lifetimes: TokenLifetimes = field(default_factory=TokenLifetimes)
    # `await throttle(bucket, limit, period_seconds)`: None while within the limit, else the
    # seconds to wait; counted across processes when Redis is configured (server/rate_limit.py).
    throttle: Throttle = field(default=lambda _bucket, _limit, _period: _unlimited())
    code_sender: CodeSender | None = None  # None: this context cannot send sign-in codes
    exports: ExportJobs = field(default_factory=NoExportJobs)
    # Fields hidden from some callers are decided here, once per request, so that the sync
    # resolver of each item reads a boolean (docs/ARCHITECTURE.md, 5).
    shows_notes: bool = field(init=False)

    def __post_init__(self) -> None:
        self.shows_notes = allows(self.actor, Permission.NOTES)

    def read_scope(self) -> ReadScope:
        """What the loaders read with: the read sessions, scoped to the organization and, for a
        MANAGER, to their stores (models/core/tenancy.py)."""
        return read_scope(self.actor, self.organization, self.read_sessions)

    def _session_info(self) -> dict[str, object]:
        return session_info(self.organization.id, store_scope=self.actor.store_scope)

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A short session scoped to the organization (and the actor's stores); one per root
        field."""
        async with self.read_scope().session() as session:
            yield session

    @asynccontextmanager
    async def write_session(self) -> AsyncIterator[AsyncSession]:
        """A session on the primary, scoped like `read_session`; the caller commits."""
        try:
            async with self.write_sessions(info=self._session_info()) as session:
                yield session
        finally:
            self.counts.forget_organization(self.organization.id)

    @asynccontextmanager
    async def organization_session(self, organization_id: int) -> AsyncIterator[AsyncSession]:
        """A write session scoped to an organization the input names, for the public sign-in
        fields only: an anonymous caller's context belongs to no organization."""
        async with self.write_sessions(info=session_info(organization_id)) as session:
            yield session

    def enter_organization(self, organization: OrganizationProfile,
                           loaders: Callable[[ReadScope, bool], DataLoaders]) -> None:
        """A caller without credentials has just signed in to `organization` through a public
        field: the rest of the response (the profile in its payload) loads from there, with
        the loaders `loaders` builds for it. Its actor stays anonymous, so no other field opens
        to it. A caller with credentials keeps its own organization (the public fields refuse
        to act in another one)."""
        if self.actor.kind is ActorKind.ANONYMOUS:
            self.organization = organization
            self.loaders = loaders(self.read_scope(), self.shows_notes)
        elif organization.id != self.organization.id:
            raise ValueError("a signed-in caller cannot enter another organization")

    @asynccontextmanager
    async def token_session(self) -> AsyncIterator[AsyncSession]:
        """A write session over every organization, only to find a row by the hash of a token
        the caller presents (`refreshToken`): the hash is unique across organizations, and the
        token is all the caller has."""
        async with self.write_sessions(info=session_info(all_organizations=True)) as session:
            yield session


Info = strawberry.Info[Context, None]


def read_scope(actor: Actor, organization: OrganizationProfile,
               sessions: async_sessionmaker[AsyncSession]) -> ReadScope:
    return ReadScope(sessions, organization.id, actor.store_scope, organization.currency)
