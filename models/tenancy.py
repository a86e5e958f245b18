"""The one place where every ORM query is scoped to an organization.

A session opened for an organization carries its id in `session.info`; every ORM statement run
through it gets `organization_id = :org` on every tenant table it touches, joins and subqueries
included. A session without an organization refuses tenant queries unless it was opened with
`all_organizations=True`, which only the CLI, authentication and maintenance jobs do.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from models.base import TenantScoped

ORGANIZATION = "organization_id"
ALL_ORGANIZATIONS = "all_organizations"


class TenantScopeError(RuntimeError):
    """A query on tenant data ran in a session that names no organization."""


class ScopedSession(Session):
    """The session class every engine of ours uses (see `session_info`)."""


def session_info(organization_id: int | None = None, *, all_organizations: bool = False
                 ) -> dict[str, Any]:
    if organization_id is None and not all_organizations:
        raise TenantScopeError("a session needs an organization or all_organizations=True")
    return {ORGANIZATION: organization_id, ALL_ORGANIZATIONS: all_organizations}


@event.listens_for(ScopedSession, "do_orm_execute")
def _scope_to_organization(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    info = state.session.info
    if info.get(ALL_ORGANIZATIONS):
        return
    organization_id = info.get(ORGANIZATION)
    if organization_id is None:
        raise TenantScopeError("tenant query in a session without an organization")
    if isinstance(state.parameters, list):
        # ORM bulk UPDATE by primary key: rows were read through a scoped query first.
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.organization_id == organization_id,
            include_aliases=True,
        )
    )
