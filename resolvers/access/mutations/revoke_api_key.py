"""`revokeApiKey`: the key stops working at once on the server process that revoked it, and
within seconds on the others."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.api_keys import revoke_api_key as revoke_api_key_rule
from resolvers.access.types import ApiKey
from resolvers.context import Info
from resolvers.user_errors import UserError, input_pk, run_rule


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey | None
    user_errors: list[UserError]


async def revoke_api_key(info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
    async def rule(session: AsyncSession) -> ApiKey:
        row = await revoke_api_key_rule(session, info.context.actor,
                                        input_pk(input.id, "ApiKey", "id"))
        return ApiKey.from_row(row)

    api_key, errors = await run_rule(info, rule)
    if api_key is not None:  # after the commit, so that no request caches it again meanwhile
        info.context.credentials.forget_api_key(input_pk(input.id, "ApiKey", "id"))
    return RevokeApiKeyPayload(api_key=api_key, user_errors=errors)
