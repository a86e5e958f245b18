"""`createApiKey`: a key for an integrator with the scopes it needs, shown once."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import access
from models.access import api_keys
from resolvers.access.types import ApiKey
from resolvers.context import Info
from resolvers.user_errors import UserError, respond


@strawberry.input
class CreateApiKeyInput:
    name: str = strawberry.field(description="What uses the key, e.g. `POS Madrid`.")
    scopes: list[str] = strawberry.field(
        description="At least one of `customers:read`, `customers:write`, `orders:write`, "
                    "`exports`, `subscriptions`.")


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey | None
    key: str | None = strawberry.field(
        description="The key to send as `Authorization: Bearer <key>`. Shown this once: only "
                    "its hash is kept.")
    user_errors: list[UserError]


async def create_api_key(info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
    async def rule(session: AsyncSession) -> tuple[access.ApiKey, str]:
        return await api_keys.add_api_key(session, info.context.actor, input.name, input.scopes)

    return await respond(info, CreateApiKeyPayload, rule, lambda made: {
        "api_key": ApiKey.from_row(made[0]), "key": made[1]})
