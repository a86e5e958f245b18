"""One-time codes sent to a phone or an email, with which a customer signs up or signs in, or
proves that an email is theirs (to claim the orders of earlier checkouts made with it).

- 6 digits, valid for 10 minutes, at most 5 tries; only the latest code of a phone counts (a new
  one replaces it). A new one may be asked for a minute after the last, and at most 5 in an
  hour: text messages cost the merchant money, and a phone's owner should not be flooded.
- Stored as an Argon2id hash: a million possible codes are found in moments from a fast hash,
  while Argon2 takes hours, far beyond the code's 10 minutes.
- Codes are keyed by their destination (a phone in E.164, or a lower-cased email), not by
  customer: a phone that is not a customer's yet receives one to sign up with, so asking for a
  code tells nothing about who is a customer.

A wrong code counts as a try even though the request fails: `CodeRefused` tells the caller to
commit its transaction anyway. Rules check the code before they write anything else, so that
the count is all such a commit keeps.
"""

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Integer, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access.passwords import hash_off_loop, verify_off_loop
from models.core.base import Base, BigId, TenantScoped, utcnow
from models.core.errors import ErrorCode, Rejected, error

DIGITS = 6
LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_PER_WINDOW = 5
WINDOW = timedelta(hours=1)


class SignInCode(TenantScoped, Base):
    __tablename__ = "sign_in_codes"
    __table_args__ = (UniqueConstraint("organization_id", "destination"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    destination: Mapped[str] = mapped_column(String(254))  # a phone (E.164) or an email
    code_hash: Mapped[str] = mapped_column(String(255))
    sent_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Codes sent to this phone since `window_started_at` (at most MAX_PER_WINDOW per WINDOW).
    window_started_at: Mapped[datetime]
    sent_in_window: Mapped[int] = mapped_column(Integer, default=1)


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str  # plain, for the sender only; never stored
    expires_at: datetime


class TooSoon(Rejected):
    """A code was sent to this phone less than `RESEND_AFTER` ago, or `MAX_PER_WINDOW` codes
    within the last `WINDOW`."""

    def __init__(self, retry_after: int, path: str) -> None:
        super().__init__([error(path, ErrorCode.RATE_LIMITED,
                                f"A code was just sent; ask again in {retry_after} seconds.")])
        self.retry_after = retry_after


class CodeRefused(Rejected):
    """A code that was wrong, expired or used up. A wrong one was counted as a try in the
    caller's transaction: commit it even though this is raised."""


class CodeCheck(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"  # also: none was asked for, or it was already used
    EXHAUSTED = "exhausted"


async def issue_code(session: AsyncSession, organization_id: int, destination: str,
                     path: str = "phone") -> IssuedCode:
    """A new code for the phone, replacing any earlier one; `TooSoon` within the cooldown."""
    now = utcnow()
    code = f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"
    row = await _locked(session, destination)
    if row is not None:
        wait = row.sent_at + RESEND_AFTER - now
        window_over = row.window_started_at + WINDOW <= now
        if not window_over and row.sent_in_window >= MAX_PER_WINDOW:
            wait = max(wait, row.window_started_at + WINDOW - now)
        if wait > timedelta(0):
            raise TooSoon(max(1, round(wait.total_seconds())), path)
        row.code_hash, row.sent_at, row.attempts = await hash_off_loop(code), now, 0
        row.expires_at = now + LIFETIME
        if window_over:
            row.window_started_at, row.sent_in_window = now, 1
        else:
            row.sent_in_window += 1
        await session.flush()
        return IssuedCode(code, row.expires_at)
    session.add(SignInCode(organization_id=organization_id, destination=destination,
                           code_hash=await hash_off_loop(code), sent_at=now,
                           expires_at=now + LIFETIME, attempts=0, window_started_at=now,
                           sent_in_window=1))
    try:
        await session.flush()
    except IntegrityError:
        # Another request made this phone's first code at the same moment. Issuing is the
        # first write of its transaction, so rolling it back loses nothing else.
        await session.rollback()
        raise TooSoon(round(RESEND_AFTER.total_seconds()), path) from None
    return IssuedCode(code, now + LIFETIME)


async def check_code(session: AsyncSession, destination: str, code: str) -> CodeCheck:
    """Try `code` against the phone's latest code. An accepted code is used up; a wrong one
    counts a try (commit it: see `CodeRefused`)."""
    row = await _locked(session, destination)
    if row is None or row.expires_at <= utcnow():
        return CodeCheck.EXPIRED
    if row.attempts >= MAX_ATTEMPTS:
        return CodeCheck.EXHAUSTED
    if not await verify_off_loop(row.code_hash, "".join(code.split())):
        row.attempts += 1
        await session.flush()
        return CodeCheck.WRONG
    await session.execute(delete(SignInCode).where(SignInCode.id == row.id))
    return CodeCheck.ACCEPTED


async def attempts_left(session: AsyncSession, destination: str) -> int:
    row = await session.scalar(select(SignInCode).where(SignInCode.destination == destination))
    return MAX_ATTEMPTS - row.attempts if row is not None else 0


async def require_code(session: AsyncSession, destination: str, code: str | None,
                       path: str = "code") -> None:
    """Accept the code or raise: `Rejected` (REQUIRED) when none was sent, `CodeRefused`
    (INVALID_CODE, CODE_EXPIRED, TOO_MANY_ATTEMPTS) when it does not open the destination."""
    if not (code or "").strip():
        raise Rejected([error(path, ErrorCode.REQUIRED, f"Enter the code we sent to your "
                              f"{_kind(destination)} (`requestSignInCode`).")])
    assert code is not None
    result = await check_code(session, destination, code)
    if result is CodeCheck.ACCEPTED:
        return
    if result is CodeCheck.WRONG:
        left = await attempts_left(session, destination)
        message = (f"This code is wrong; {left} tries left." if left else
                   "This code is wrong, and that was the last try: ask for a new code.")
        raise CodeRefused([error(path, ErrorCode.INVALID_CODE, message)])
    if result is CodeCheck.EXHAUSTED:
        raise CodeRefused([error(path, ErrorCode.TOO_MANY_ATTEMPTS,
                                 "Too many wrong tries for this code: ask for a new one.")])
    raise CodeRefused([error(path, ErrorCode.CODE_EXPIRED,
                             "This code has expired or was already used: ask for a new one.")])


async def require_codes(session: AsyncSession, needed: Sequence[tuple[str, str]],
                        given: Mapping[str, str | None]) -> None:
    """`require_code` for each (destination, field) with the code `given` at that field; all
    the missing ones are asked for at once, before any code is used up."""
    missing = [field for _, field in needed if not (given.get(field) or "").strip()]
    if missing:
        raise Rejected([error(field, ErrorCode.REQUIRED,
                              f"Enter the code we sent to your {_kind(destination)} "
                              "(`requestSignInCode`).")
                        for destination, field in needed if field in missing])
    for destination, field in needed:
        await require_code(session, destination, given.get(field), field)


def is_email(destination: str) -> bool:
    """A destination is an email or a phone in E.164, which has no `@`."""
    return "@" in destination


def _kind(destination: str) -> str:
    return "email" if is_email(destination) else "phone"


async def forget_destination(session: AsyncSession, destination: str) -> None:
    """Drop the code of a phone or email (an erased customer's are personal data)."""
    await session.execute(delete(SignInCode).where(SignInCode.destination == destination))


async def _locked(session: AsyncSession, destination: str) -> SignInCode | None:
    # Locked so that concurrent tries on one code are counted one after another.
    return await session.scalar(select(SignInCode).where(SignInCode.destination == destination)
                                .with_for_update())


async def purge_spent(session: AsyncSession, now: datetime) -> int:
    """Delete the codes that have expired and whose phone's sending window is over (the row
    holds that count until then); how many."""
    result = await session.execute(delete(SignInCode).where(
        SignInCode.expires_at < now, SignInCode.window_started_at < now - WINDOW))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
