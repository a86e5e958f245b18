"""models/access/sessions.py: the rules behind sign-in tokens, for staff users and customers alike
(the HTTP behaviour is in tests/resolvers/access/test_staff_sign_in.py)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.access.sessions import (
    AuthSession,
    RefreshTokenReused,
    TokenLifetimes,
    find_by_access_token,
    hash_token,
    refresh_session,
    revoke_session,
    start_session,
)
from models.core.enums import ActorKind
from models.core.errors import Rejected
from models.core.tenancy import session_info

from factories import OrgFixture


async def test_start_refresh_revoke(org: OrgFixture) -> None:
    db = org.db
    async with db.sessions(info=session_info(org.id)) as session:
        row, access, refresh = await start_session(session, org.id, ActorKind.CUSTOMER, 42)
        await session.commit()
    assert access.startswith("cha_")
    assert refresh.startswith("chr_")
    assert row.access_token_hash == hash_token(access) != access
    assert row.refresh_expires_at - row.access_expires_at > timedelta(days=29)
    async with db.sessions(info=session_info(org.id)) as session:
        found = await find_by_access_token(session, access)
        assert found is not None
        assert found.subject_id == 42
        rotated, new_access, new_refresh = await refresh_session(session, refresh)
        await session.commit()
    assert rotated.id == row.id
    assert {new_access, new_refresh}.isdisjoint({access, refresh})
    async with db.sessions(info=session_info(org.id)) as session:
        assert await find_by_access_token(session, access) is None  # died with the rotation
        assert await find_by_access_token(session, new_access) is not None
        with pytest.raises(RefreshTokenReused):
            await refresh_session(session, refresh)
        await session.commit()  # the revocation stands although the rule raised
    async with db.sessions(info=session_info(org.id)) as session:
        assert await find_by_access_token(session, new_access) is None
        with pytest.raises(Rejected):
            await refresh_session(session, new_refresh)
        with pytest.raises(Rejected):
            await refresh_session(session, "chr_unknown")


async def test_expired_and_revoked(org: OrgFixture) -> None:
    short = TokenLifetimes(access=timedelta(seconds=-1), refresh=timedelta(seconds=-1))
    async with org.db.sessions(info=session_info(org.id)) as session:
        _, access, refresh = await start_session(session, org.id, ActorKind.STAFF_USER, 1, short)
        assert await find_by_access_token(session, access) is None
        with pytest.raises(Rejected):
            await refresh_session(session, refresh)
        row, access, _ = await start_session(session, org.id, ActorKind.STAFF_USER, 1)
        await revoke_session(session, row.id)
        assert await find_by_access_token(session, access) is None
        with pytest.raises(ValueError, match="API_KEY"):
            await start_session(session, org.id, ActorKind.API_KEY, 1)


async def test_another_organization_cannot_find_the_session(org: OrgFixture) -> None:
    async with org.db.sessions(info=session_info(org.id)) as session:
        _, access, _ = await start_session(session, org.id, ActorKind.CUSTOMER, 7)
        await session.commit()
    async with org.db.sessions(info=session_info(org.id + 10**6)) as session:
        assert await find_by_access_token(session, access) is None
        assert (await session.scalars(select(AuthSession))).all() == []
