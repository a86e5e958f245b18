"""Stores by id."""

from typing import TYPE_CHECKING

from models.organizations.stores import Store as StoreRow
from resolvers.dataloaders.by_id import load_by_id
from resolvers.stores.types import Store

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = Store | None


async def load_stores(context: "Context", keys: list[Key]) -> list[Result]:
    return await load_by_id(context, StoreRow, Store.from_row, keys)
