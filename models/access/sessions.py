"""Sign-in sessions of staff users and customers: a short-lived access token and a long-lived
refresh token, both opaque, random and stored only as SHA-256 hashes (like API keys).

One row is one sign-in. `refresh_session` rotates both tokens: the old access token dies with
the rotation, and the old refresh token is kept (hashed) as retired, so that presenting it again
is recognised as reuse, which means a copy of it leaked: the whole session is revoked then.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.base import Base, BigId, TenantScoped, enum_column, utcnow
from models.core.enums import ActorKind
from models.core.errors import ErrorCode, Rejected, error

ACCESS_PREFIX = "cha_"
REFRESH_PREFIX = "chr_"
SUBJECT_KINDS = (ActorKind.STAFF_USER, ActorKind.CUSTOMER)
# How long a session that can no longer be used (its refresh token expired, or revoked) is
# kept before `purge_finished` deletes it: time to look into a revocation; after that its
# tokens, retired ones included, are simply unknown, which refuses them all the same.
KEPT_AFTER_END = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class TokenLifetimes:
    """How long each token lives (settings CUSTOMERHUB_ACCESS_TOKEN_MINUTES and
    CUSTOMERHUB_REFRESH_TOKEN_DAYS)."""

    access: timedelta = timedelta(minutes=15)
    refresh: timedelta = timedelta(days=30)


class AuthSession(TenantScoped, Base):
    __tablename__ = "auth_sessions"
    __table_args__ = (
        Index("ix_auth_sessions_subject", "organization_id", "subject_kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # A staff user's or a customer's id; no foreign key, so that one table serves both.
    subject_kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind))
    subject_id: Mapped[int] = mapped_column(BigId)
    # Tokens are 256 random bits: one round of SHA-256 is enough, a slow hash buys nothing.
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    access_expires_at: Mapped[datetime]
    refresh_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RetiredRefreshToken(TenantScoped, Base):
    """A refresh token that a rotation replaced: presenting it again revokes its session."""

    __tablename__ = "auth_retired_refresh_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)


class RefreshTokenReused(Rejected):
    """A retired refresh token came back. The rule has revoked its session in the caller's
    transaction: commit it even though this is raised."""

    def __init__(self, auth_session_id: int) -> None:
        super().__init__([error("refreshToken", ErrorCode.INVALID, REUSED)])
        self.auth_session_id = auth_session_id


INVALID_REFRESH = "This refresh token is unknown, expired or revoked: sign in again."
REUSED = ("This refresh token was already used, so a copy of it may have leaked: the session "
          "has been revoked. Sign in again.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def _issue(row: AuthSession, lifetimes: TokenLifetimes, now: datetime) -> tuple[str, str]:
    access, refresh = _new_token(ACCESS_PREFIX), _new_token(REFRESH_PREFIX)
    row.access_token_hash = hash_token(access)
    row.access_expires_at = now + lifetimes.access
    row.refresh_token_hash = hash_token(refresh)
    row.refresh_expires_at = now + lifetimes.refresh
    return access, refresh


async def start_session(
    session: AsyncSession, organization_id: int, kind: ActorKind, subject_id: int,
    lifetimes: TokenLifetimes = TokenLifetimes(),
) -> tuple[AuthSession, str, str]:
    """A new signed-in session for a staff user or a customer whose credentials the caller has
    checked: the row, the access token and the refresh token (plain, shown once)."""
    if kind not in SUBJECT_KINDS:
        raise ValueError(f"sessions are for staff users and customers, not {kind.value}")
    now = utcnow()
    row = AuthSession(organization_id=organization_id, subject_kind=kind, subject_id=subject_id,
                      created_at=now)
    access, refresh = _issue(row, lifetimes, now)
    session.add(row)
    await session.flush()
    return row, access, refresh


async def refresh_session(
    session: AsyncSession, refresh_token: str, lifetimes: TokenLifetimes = TokenLifetimes(),
) -> tuple[AuthSession, str, str]:
    """Rotate both tokens of the session that `refresh_token` belongs to.

    Raises `Rejected` for a token that is unknown, expired or revoked, and `RefreshTokenReused`
    (after revoking the session) for one that a rotation already replaced. Each new refresh
    token lives `lifetimes.refresh`, so a session used at least that often stays open.
    """
    token_hash = hash_token(refresh_token.strip())
    now = utcnow()
    row = await session.scalar(select(AuthSession).where(
        AuthSession.refresh_token_hash == token_hash))
    if row is None:
        retired = await session.scalar(select(RetiredRefreshToken).where(
            RetiredRefreshToken.token_hash == token_hash))
        if retired is not None:
            await revoke_session(session, retired.session_id)
            raise RefreshTokenReused(retired.session_id)
        raise Rejected([error("refreshToken", ErrorCode.INVALID, INVALID_REFRESH)])
    if row.revoked_at is not None or row.refresh_expires_at <= now:
        raise Rejected([error("refreshToken", ErrorCode.INVALID, INVALID_REFRESH)])
    old_hash = row.refresh_token_hash
    access, refresh = _new_token(ACCESS_PREFIX), _new_token(REFRESH_PREFIX)
    # Compare-and-set on the old hash: of two refreshes racing with one token, one wins and the
    # other is treated as the reuse it looks like.
    rotated = await session.execute(
        update(AuthSession)
        .where(AuthSession.id == row.id, AuthSession.refresh_token_hash == old_hash,
               AuthSession.revoked_at.is_(None))
        .values(access_token_hash=hash_token(access), access_expires_at=now + lifetimes.access,
                refresh_token_hash=hash_token(refresh),
                refresh_expires_at=now + lifetimes.refresh)
        .execution_options(synchronize_session=False))
    if rotated.rowcount != 1:  # type: ignore[attr-defined]
        await revoke_session(session, row.id)
        raise RefreshTokenReused(row.id)
    session.add(RetiredRefreshToken(organization_id=row.organization_id, session_id=row.id,
                                    token_hash=old_hash, retired_at=now))
    await session.flush()
    await session.refresh(row)
    return row, access, refresh


async def revoke_session(session: AsyncSession, auth_session_id: int) -> AuthSession | None:
    """End a session: both its tokens stop working. Revoking twice changes nothing."""
    row = await session.get(AuthSession, auth_session_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
    return row


async def revoke_subject_sessions(session: AsyncSession, kind: ActorKind, subject_id: int
                                  ) -> list[int]:
    """End every open session of one staff user or customer (disabled, erased, new password);
    returns the ids of the sessions it ended."""
    rows = (await session.scalars(select(AuthSession).where(
        AuthSession.subject_kind == kind, AuthSession.subject_id == subject_id,
        AuthSession.revoked_at.is_(None)))).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    await session.flush()
    return [row.id for row in rows]


async def find_by_access_token(session: AsyncSession, access_token: str) -> AuthSession | None:
    """The open session an access token belongs to, or None when it is unknown, expired or
    revoked (a rotation replaces the access token, so an earlier one is unknown)."""
    return await session.scalar(select(AuthSession).where(
        AuthSession.access_token_hash == hash_token(access_token),
        AuthSession.revoked_at.is_(None),
        AuthSession.access_expires_at > utcnow()))


async def purge_finished(session: AsyncSession, now: datetime) -> int:
    """Delete the sessions, of every organization the session reaches, that ended more than
    `KEPT_AFTER_END` ago, with their retired refresh tokens; how many sessions."""
    cutoff = now - KEPT_AFTER_END
    finished = select(AuthSession.id).where(or_(AuthSession.refresh_expires_at < cutoff,
                                                AuthSession.revoked_at < cutoff))
    await session.execute(delete(RetiredRefreshToken).where(
        RetiredRefreshToken.session_id.in_(finished)))
    result = await session.execute(delete(AuthSession).where(AuthSession.id.in_(finished)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
