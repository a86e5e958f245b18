"""The names of the API keys (and, once they exist, staff users) that acted, by (kind, id)."""

from typing import TYPE_CHECKING

from sqlalchemy import select

from models.api_keys import ApiKey
from models.enums import ActorKind

if TYPE_CHECKING:
    from resolvers.context import Context

Key = tuple[ActorKind, str]
Result = str | None


async def load_actor_names(context: "Context", keys: list[Key]) -> list[Result]:
    key_ids = sorted({int(i) for kind, i in keys if kind is ActorKind.API_KEY and i.isdigit()})
    names: dict[Key, str] = {}
    if key_ids:
        async with context.read_session() as session:
            rows = await session.execute(
                select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(key_ids)))
            names = {(ActorKind.API_KEY, str(pk)): name for pk, name in rows}
    # Staff users have no table yet: their names stay unknown (null) until they do.
    return [names.get(key) for key in keys]
