"""Integrator API keys with scopes. Only a hash is stored; the key is shown once, at creation.

`add_api_key` and `revoke_api_key` are the rules the API and the CLI share; `create_api_key`
makes a key without checks, for fixtures and the demo.
"""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import JSON, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.actors import Actor
from models.core.base import Base, BigId, TenantScoped, utcnow
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event

KEY_PREFIX = "chk_"


class ApiKey(TenantScoped, Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Keys are 256 random bits, so one round of SHA-256 is enough; a slow hash buys nothing.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


ALL_SCOPES = ("customers:read", "customers:write", "orders:write", "exports", "subscriptions")
MAX_NAME = 100


async def create_api_key(
    session: AsyncSession, organization_id: int, name: str,
    scopes: Sequence[str] = ALL_SCOPES,
) -> tuple[ApiKey, str]:
    """A new key for the organization, and its plain text, which is never stored."""
    plain = new_key()
    key = ApiKey(organization_id=organization_id, name=name, key_hash=hash_key(plain),
                 display_prefix=plain[:10], scopes=list(scopes))
    session.add(key)
    await session.flush()
    return key, plain


async def find_active_key(session: AsyncSession, plain: str) -> ApiKey | None:
    return await session.scalar(
        select(ApiKey).where(ApiKey.key_hash == hash_key(plain), ApiKey.revoked_at.is_(None)))


async def add_api_key(session: AsyncSession, actor: Actor, name: str | None,
                      scopes: Sequence[str] | None) -> tuple[ApiKey, str]:
    """A named key with at least one known scope, for the actor's organization; the plain key is
    returned once and never stored."""
    errors: list[UserError] = []
    clean_name = " ".join((name or "").split())
    if not clean_name:
        errors.append(error("name", ErrorCode.REQUIRED, "Name the key after what uses it."))
    elif len(clean_name) > MAX_NAME:
        errors.append(error("name", ErrorCode.INVALID,
                            f"The name is longer than {MAX_NAME} characters."))
    wanted = [scope.strip() for scope in scopes or () if scope.strip()]
    unknown = sorted(set(wanted) - set(ALL_SCOPES))
    if unknown:
        errors.append(error("scopes", ErrorCode.INVALID, f"Unknown scopes {unknown}: use "
                                                         f"{', '.join(ALL_SCOPES)}."))
    elif not wanted:
        errors.append(error("scopes", ErrorCode.REQUIRED,
                            f"Give the key at least one scope: {', '.join(ALL_SCOPES)}."))
    if errors:
        raise Rejected(errors)
    ordered = [scope for scope in ALL_SCOPES if scope in wanted]
    key, plain = await create_api_key(session, actor.organization_id, clean_name, ordered)
    record_event(session, actor, EventKind.API_KEY_CREATED, None,
                 {"api_key_id": key.id, "name": key.name, "scopes": key.scopes})
    await session.flush()
    return key, plain


async def revoke_api_key(session: AsyncSession, actor: Actor, key_id: int) -> ApiKey:
    """The key stops working (at once in this process; see server/auth.py for the others).
    Revoking a revoked key changes nothing."""
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise Rejected([error("id", ErrorCode.NOT_FOUND, "No such API key.")])
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record_event(session, actor, EventKind.API_KEY_REVOKED, None,
                     {"api_key_id": key.id, "name": key.name})
        await session.flush()
    return key


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    """The organization's keys, revoked ones included, oldest first."""
    return list((await session.scalars(select(ApiKey).order_by(ApiKey.id))).all())
