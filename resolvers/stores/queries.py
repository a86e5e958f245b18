"""Root fields `stores` and `store`."""

import strawberry
from sqlalchemy import select

from models.organizations.stores import Store as StoreRow
from resolvers.context import Info
from resolvers.node import pk_of
from resolvers.stores.types import Store


async def stores(info: Info) -> list[Store]:
    async with info.context.read_session() as session:
        rows = await session.scalars(select(StoreRow).order_by(StoreRow.name, StoreRow.id))
        return [Store.from_row(row) for row in rows]


async def store(info: Info, id: strawberry.ID) -> Store | None:
    return await info.context.loaders.store.load(pk_of(id, "Store"))
