"""Stores by id."""

from typing import TYPE_CHECKING

from sqlalchemy import select

from models.stores import Store as StoreRow
from resolvers.stores.types import Store

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = Store | None


async def load_stores(context: "Context", keys: list[Key]) -> list[Result]:
    async with context.read_session() as session:
        rows = await session.scalars(select(StoreRow).where(StoreRow.id.in_(keys)))
        by_id = {row.id: Store.from_row(row) for row in rows}
    return [by_id.get(key) for key in keys]
