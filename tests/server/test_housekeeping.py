"""server/housekeeping.py: ended sign-in sessions (a week after) and spent sign-in codes are
deleted, in every organization; sessions still usable, and their retired tokens, are kept."""

from datetime import timedelta

from sqlalchemy import func, select

from models.access.codes import SignInCode, issue_code
from models.access.sessions import (
    AuthSession,
    RetiredRefreshToken,
    TokenLifetimes,
    refresh_session,
    revoke_session,
    start_session,
)
from models.core.base import utcnow
from models.core.enums import ActorKind
from models.core.tenancy import session_info
from server.db import Database
from server.housekeeping import Housekeeping

from factories import OrgFixture, create_organization

ENDED = TokenLifetimes(access=timedelta(seconds=-2), refresh=timedelta(seconds=-1))


async def sessions_of(org: OrgFixture) -> dict[int, int]:
    """Each session's number of retired refresh tokens."""
    async with org.db.admin_session() as session:
        ids = await session.scalars(select(AuthSession.id).where(
            AuthSession.organization_id == org.id))
        return {i: await session.scalar(select(func.count()).where(
            RetiredRefreshToken.session_id == i)) or 0 for i in ids}


async def codes_of(org: OrgFixture) -> int:
    async with org.db.admin_session() as session:
        return await session.scalar(select(func.count()).select_from(SignInCode).where(
            SignInCode.organization_id == org.id)) or 0


async def test_ended_sessions_and_spent_codes_go_in_every_organization(
        db: Database, org: OrgFixture) -> None:
    other = await create_organization(db)
    kept: dict[int, int] = {}
    for fixture in (org, other):
        async with db.sessions(info=session_info(fixture.id)) as session:
            live, _, refresh = await start_session(session, fixture.id, ActorKind.STAFF_USER, 1)
            await refresh_session(session, refresh)  # one retired token, kept with its session
            await start_session(session, fixture.id, ActorKind.CUSTOMER, 2, ENDED)
            revoked, _, _ = await start_session(session, fixture.id, ActorKind.CUSTOMER, 3)
            await revoke_session(session, revoked.id)
            await issue_code(session, fixture.id, "+34612345678")
            await session.commit()
        kept[fixture.id] = live.id
    housekeeping = Housekeeping(db)

    assert len(await sessions_of(org)) == 3
    soon = await housekeeping.sweep(utcnow() + timedelta(minutes=30))
    assert len(await sessions_of(org)) == len(await sessions_of(other)) == 3  # none went yet
    assert await codes_of(org) == await codes_of(other) == 1  # its sending window still counts
    assert (soon.sessions, soon.codes) == (0, 0)

    swept = await housekeeping.sweep(utcnow() + timedelta(days=7, hours=1))
    assert swept.sessions >= 4  # other tests' rows may go too
    assert swept.codes >= 2
    for fixture in (org, other):
        assert await sessions_of(fixture) == {kept[fixture.id]: 1}
        assert await codes_of(fixture) == 0
