"""A merchant's physical or virtual point of sale."""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.base import Base, BigId, TenantScoped, utcnow


class Store(TenantScoped, Base):
    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(32))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


async def store_ids_by_code(session: AsyncSession, codes: Collection[str]) -> dict[str, int]:
    """The ids of the organization's stores with these codes (codes it lacks are left out)."""
    rows = await session.execute(select(Store.code, Store.id).where(Store.code.in_(set(codes))))
    return dict(rows.all())


async def stores_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, Store]:
    """The stores with these ids (ids the organization lacks are left out)."""
    return {row.id: row for row in await session.scalars(select(Store).where(Store.id.in_(ids)))}


async def all_stores(session: AsyncSession) -> list[Store]:
    """Every store of the organization, by name."""
    return list(await session.scalars(select(Store).order_by(Store.name, Store.id)))
