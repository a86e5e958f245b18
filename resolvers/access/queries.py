"""Root fields `viewer`, `staffUsers` and `apiKeys`."""

from models import access
from models.access.api_keys import list_api_keys
from models.access.staff import list_staff_users
from models.core.enums import ActorKind
from resolvers.access.types import ApiKey, StaffUser, staff_users_of
from resolvers.context import Info


async def viewer(info: Info) -> StaffUser | None:
    actor = info.context.actor
    if actor.kind is not ActorKind.STAFF_USER or actor.id is None:
        return None
    async with info.context.read_session() as session:
        row = await session.get(access.StaffUser, int(actor.id))
        return (await staff_users_of(session, [row]))[0] if row else None


async def staff_users(info: Info) -> list[StaffUser]:
    async with info.context.read_session() as session:
        return await staff_users_of(session, await list_staff_users(session))


async def api_keys(info: Info) -> list[ApiKey]:
    async with info.context.read_session() as session:
        return [ApiKey.from_row(row) for row in await list_api_keys(session)]
