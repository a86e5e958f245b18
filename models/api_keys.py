"""Integrator and staff API keys. Only a hash is stored; the key is shown once, at creation."""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import JSON, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, TenantScoped, utcnow

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
