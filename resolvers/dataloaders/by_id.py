"""The shared shape of loaders that fetch rows by primary key and turn each into a type."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

if TYPE_CHECKING:
    from resolvers.context import Context

T = TypeVar("T")


async def load_by_id(context: "Context", row_type: Any, convert: Callable[[Any], T],
                     keys: list[int]) -> list[T | None]:
    async with context.read_session() as session:
        rows = await session.scalars(select(row_type).where(row_type.id.in_(keys)))
        by_id = {row.id: convert(row) for row in rows}
    return [by_id.get(key) for key in keys]
