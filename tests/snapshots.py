"""Everything an organization holds, as plain values, to show that a refused write changed
nothing."""

from typing import Any

from sqlalchemy import select

from models.core.base import Base, TenantScoped
from server.db import Database

# Written when a credential is used (at most once a minute), by reads as much as by writes.
USAGE = {"last_used_at"}


async def organization_state(db: Database, organization_id: int) -> dict[str, list[Any]]:
    state: dict[str, list[Any]] = {}
    async with db.admin_session() as session:
        for mapper in Base.registry.mappers:
            model = mapper.class_
            if not issubclass(model, TenantScoped):
                continue
            rows = await session.scalars(select(model).where(
                model.organization_id == organization_id).order_by(model.id))
            columns = [c.key for c in mapper.column_attrs if c.key not in USAGE]
            state[model.__tablename__] = [
                tuple(getattr(row, c) for c in columns) for row in rows]
    return state
