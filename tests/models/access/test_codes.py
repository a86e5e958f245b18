"""One-time sign-in codes: 6 digits stored hashed, 10 minutes, 5 tries, the latest only, and a
minute between two codes for one phone."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.codes import (
    MAX_ATTEMPTS,
    MAX_PER_WINDOW,
    CodeCheck,
    CodeRefused,
    SignInCode,
    TooSoon,
    check_code,
    issue_code,
    require_code,
)
from models.core.base import utcnow
from models.core.errors import ErrorCode, Rejected
from models.core.tenancy import session_info

from factories import OrgFixture

PHONE = "+34612345678"


@pytest.fixture
async def session(org: OrgFixture) -> AsyncIterator[AsyncSession]:
    async with org.db.sessions(info=session_info(org.id)) as session:
        yield session


async def stored(session: AsyncSession) -> SignInCode:
    row = await session.scalar(select(SignInCode).where(SignInCode.destination == PHONE)
                               .execution_options(populate_existing=True))
    assert row is not None
    return row


async def backdate(session: AsyncSession, **fields: timedelta) -> None:
    """Move the code's times into the past, instead of waiting."""
    now = utcnow()
    await session.execute(update(SignInCode).where(SignInCode.destination == PHONE).values(
        **{name: now - ago for name, ago in fields.items()}))
    await session.commit()


async def test_a_code_is_six_digits_stored_only_hashed(session: AsyncSession, org: OrgFixture
                                                       ) -> None:
    issued = await issue_code(session, org.id, PHONE)
    await session.commit()
    assert len(issued.code) == 6
    assert issued.code.isdigit()
    row = await stored(session)
    assert issued.code not in row.code_hash
    assert row.code_hash.startswith("$argon2id$")
    assert timedelta(minutes=9) < row.expires_at - utcnow() <= timedelta(minutes=10)


async def test_the_right_code_is_accepted_once(session: AsyncSession, org: OrgFixture) -> None:
    issued = await issue_code(session, org.id, PHONE)
    assert await check_code(session, PHONE, issued.code) is CodeCheck.ACCEPTED
    assert await check_code(session, PHONE, issued.code) is CodeCheck.EXPIRED


async def test_a_wrong_code_counts_a_try(session: AsyncSession, org: OrgFixture) -> None:
    issued = await issue_code(session, org.id, PHONE)
    wrong = f"{(int(issued.code) + 1) % 1_000_000:06d}"
    with pytest.raises(CodeRefused) as refused:
        await require_code(session, PHONE, wrong)
    assert refused.value.errors[0].code is ErrorCode.INVALID_CODE
    assert "4 tries left" in refused.value.errors[0].message
    await session.commit()  # as the callers do: the try is kept
    assert (await stored(session)).attempts == 1
    await require_code(session, PHONE, f" {issued.code[:3]} {issued.code[3:]} ")  # spaces allowed


async def test_five_wrong_tries_use_the_code_up(session: AsyncSession, org: OrgFixture) -> None:
    issued = await issue_code(session, org.id, PHONE)
    wrong = f"{(int(issued.code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_ATTEMPTS):
        assert await check_code(session, PHONE, wrong) is CodeCheck.WRONG
    assert await check_code(session, PHONE, issued.code) is CodeCheck.EXHAUSTED
    with pytest.raises(CodeRefused) as refused:
        await require_code(session, PHONE, issued.code)
    assert refused.value.errors[0].code is ErrorCode.TOO_MANY_ATTEMPTS


async def test_an_expired_code_is_refused(session: AsyncSession, org: OrgFixture) -> None:
    issued = await issue_code(session, org.id, PHONE)
    await session.commit()
    await backdate(session, expires_at=timedelta(seconds=1))
    with pytest.raises(CodeRefused) as refused:
        await require_code(session, PHONE, issued.code)
    assert refused.value.errors[0].code is ErrorCode.CODE_EXPIRED


async def test_only_the_latest_code_counts_and_not_within_a_minute(
        session: AsyncSession, org: OrgFixture) -> None:
    first = await issue_code(session, org.id, PHONE)
    await session.commit()
    with pytest.raises(TooSoon) as too_soon:
        await issue_code(session, org.id, PHONE)
    assert 55 <= too_soon.value.retry_after <= 60
    assert too_soon.value.errors[0].code is ErrorCode.RATE_LIMITED
    await session.rollback()
    await backdate(session, sent_at=timedelta(seconds=61))
    second = await issue_code(session, org.id, PHONE)
    await session.commit()
    assert (await stored(session)).attempts == 0
    if first.code != second.code:  # one chance in a million that they are the same
        assert await check_code(session, PHONE, first.code) is CodeCheck.WRONG
    assert await check_code(session, PHONE, second.code) is CodeCheck.ACCEPTED


async def test_no_code_asked_for_is_expired_and_an_empty_one_required(
        session: AsyncSession) -> None:
    with pytest.raises(CodeRefused) as refused:
        await require_code(session, PHONE, "123456")
    assert refused.value.errors[0].code is ErrorCode.CODE_EXPIRED
    with pytest.raises(Rejected) as missing:
        await require_code(session, PHONE, " ")
    assert missing.value.errors[0].code is ErrorCode.REQUIRED
    assert not isinstance(missing.value, CodeRefused)


async def test_codes_of_one_organization_do_not_open_another(
        session: AsyncSession, org: OrgFixture, db: object) -> None:
    from factories import create_organization

    other = await create_organization(org.db)
    issued = await issue_code(session, org.id, PHONE)
    await session.commit()
    async with org.db.sessions(info=session_info(other.id)) as elsewhere:
        assert await check_code(elsewhere, PHONE, issued.code) is CodeCheck.EXPIRED


async def test_at_most_five_codes_an_hour_per_phone(session: AsyncSession, org: OrgFixture
                                                    ) -> None:
    for _ in range(MAX_PER_WINDOW):
        await issue_code(session, org.id, PHONE)
        await session.commit()
        await backdate(session, sent_at=timedelta(minutes=2))  # past the minute between codes
    with pytest.raises(TooSoon) as too_soon:
        await issue_code(session, org.id, PHONE)
    assert 3500 < too_soon.value.retry_after <= 3600
    await session.rollback()
    assert (await stored(session)).sent_in_window == MAX_PER_WINDOW
    await backdate(session, sent_at=timedelta(minutes=2), window_started_at=timedelta(hours=1))
    await issue_code(session, org.id, PHONE)
    await session.commit()
    assert (await stored(session)).sent_in_window == 1
