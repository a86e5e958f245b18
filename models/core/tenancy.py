"""The one place where every ORM query is scoped to an organization, and to a manager's stores.

A session opened for an organization carries its id in `session.info`; every ORM statement run
through it gets `organization_id = :org` on every tenant table it touches, joins and subqueries
included. A session without an organization refuses tenant queries unless it was opened with
`all_organizations=True`, which only the CLI, authentication and maintenance jobs do.

A session opened with a `store_scope` (a MANAGER's stores, `Actor.store_scope`) further sees
only the customers linked to those stores and what belongs to them (`models/core/store_scope.py`).
A rule that has reached a customer through that scope, and must then read or keep exact
something organization-wide (uniqueness across the organization, aggregates recomputed from
every order), does so inside `organization_wide(session)`: grep for it to see every such place.
"""

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from models.core import store_scope
from models.core.base import TenantScoped

ORGANIZATION = "organization_id"
ALL_ORGANIZATIONS = "all_organizations"
STORE_SCOPE = "store_scope"


class TenantScopeError(RuntimeError):
    """A query on tenant data ran in a session that names no organization."""


class ScopedSession(Session):
    """The session class every engine of ours uses (see `session_info`)."""


def session_info(organization_id: int | None = None, *, all_organizations: bool = False,
                 store_scope: Iterable[int] | None = None) -> dict[str, Any]:
    if organization_id is None and not all_organizations:
        raise TenantScopeError("a session needs an organization or all_organizations=True")
    if store_scope is not None and organization_id is None:
        raise TenantScopeError("a store scope needs an organization")
    return {ORGANIZATION: organization_id, ALL_ORGANIZATIONS: all_organizations,
            STORE_SCOPE: frozenset(store_scope) if store_scope is not None else None}


@dataclass(frozen=True, slots=True)
class ReadScope:
    """What a reader of one request needs and no more: sessions scoped to its organization
    and the actor's stores, and the organization's currency. The per-request loaders take
    this, not the GraphQL context, so that they can be built and used without GraphQL."""

    sessions: async_sessionmaker[AsyncSession]
    organization_id: int
    store_scope: frozenset[int] | None
    currency: str

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A short session (one per loader batch or root field), in the scope."""
        info = session_info(self.organization_id, store_scope=self.store_scope)
        async with self.sessions(info=info) as session:
            yield session


@contextmanager
def organization_wide(session: AsyncSession | Session) -> Iterator[None]:
    """Within the block, the session sees its whole organization (never another one)."""
    info = session.info
    saved = info.get(STORE_SCOPE)
    info[STORE_SCOPE] = None
    try:
        yield
    finally:
        info[STORE_SCOPE] = saved


def has_store_scope(session: AsyncSession | Session) -> bool:
    return session.info.get(STORE_SCOPE) is not None


@event.listens_for(ScopedSession, "do_orm_execute")
def _scope_to_organization(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if isinstance(state.parameters, list):
        # ORM bulk UPDATE by primary key: rows were read through a scoped query first.
        _check_organization(state.session.info)
        return
    state.statement = scoped(state.session, state.statement)


def scoped(session: AsyncSession | Session, statement: Any) -> Any:
    """The statement as the session's ORM queries run it: scoped to its organization (and
    store scope). Only for a statement run on the session's connection, outside the ORM
    (models/exports/rows.py); every ORM query gets this by itself."""
    info = session.info
    if not _check_organization(info):
        return statement
    organization_id = info[ORGANIZATION]
    options = [with_loader_criteria(
        TenantScoped, lambda cls: cls.organization_id == organization_id, include_aliases=True)]
    stores = info.get(STORE_SCOPE)
    if stores is not None:
        # SQLAlchemy has no public reader of a statement's LIMIT; a page is written the same
        # way whichever form is chosen, only its plan differs (models/core/store_scope.py `linked`).
        paged = getattr(statement, "_limit_clause", None) is not None
        options.extend(
            with_loader_criteria(cls, condition, include_aliases=True)
            for cls, condition in store_scope.criteria(organization_id, stores, paged=paged))
    return statement.options(*options)


def _check_organization(info: dict[str, Any]) -> bool:
    """Whether the session is scoped to an organization (False: it sees them all)."""
    if info.get(ALL_ORGANIZATIONS):
        return False
    if info.get(ORGANIZATION) is None:
        raise TenantScopeError("tenant query in a session without an organization")
    return True
