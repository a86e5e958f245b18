"""Per-request batch reads of stores by id. They take a `ReadScope` (never the GraphQL context)
and return rows, in the order of the keys."""

from models.core.tenancy import ReadScope
from models.organizations import stores
from models.organizations.stores import Store


async def load_stores(scope: ReadScope, keys: list[int]) -> list[Store | None]:
    async with scope.session() as session:
        rows = await stores.stores_by_id(session, keys)
    return [rows.get(key) for key in keys]
