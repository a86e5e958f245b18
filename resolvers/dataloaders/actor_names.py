"""The names of the API keys and staff users that acted, by (kind, id)."""

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from models.access.api_keys import ApiKey
from models.access.staff import StaffUser
from models.core.enums import ActorKind

if TYPE_CHECKING:
    from resolvers.context import Context

Key = tuple[ActorKind, str]
Result = str | None

NAMED: dict[ActorKind, Any] = {ActorKind.API_KEY: ApiKey, ActorKind.STAFF_USER: StaffUser}


async def load_actor_names(context: "Context", keys: list[Key]) -> list[Result]:
    wanted = {kind: sorted({int(i) for k, i in keys if k is kind and i.isdigit()})
              for kind in NAMED}
    names: dict[Key, str] = {}
    if any(wanted.values()):
        async with context.read_session() as session:
            for kind, ids in wanted.items():
                if ids:
                    table = NAMED[kind]
                    rows = await session.execute(
                        select(table.id, table.name).where(table.id.in_(ids)))
                    names.update({(kind, str(pk)): name for pk, name in rows})
    return [names.get(key) for key in keys]
