"""Root fields `stores` and `store`."""

import strawberry

from models.organizations.stores import all_stores
from resolvers.context import Info
from resolvers.node import pk_of
from resolvers.stores.types import Store


async def stores(info: Info) -> list[Store]:
    async with info.context.read_session() as session:
        return [Store.from_row(row) for row in await all_stores(session)]


async def store(info: Info, id: strawberry.ID) -> Store | None:
    return await info.context.loaders.store.load(pk_of(id, "Store"))
