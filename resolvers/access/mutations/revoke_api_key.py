"""`revokeApiKey`: the key stops working at once on the server process that revoked it, and
within seconds on the others."""

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import access
from models.access import api_keys
from resolvers.access.types import ApiKey
from resolvers.context import Info
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey | None
    user_errors: list[UserError]


async def revoke_api_key(info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
    async def rule(session: AsyncSession) -> access.ApiKey:
        return await api_keys.revoke_api_key(session, info.context.actor,
                                             input_pk(input.id, "ApiKey", "id"))

    def answer(row: access.ApiKey) -> dict[str, Any]:
        # After the commit, so that no request caches it again meanwhile.
        info.context.credentials.forget_api_key(row.id)
        return {"api_key": ApiKey.from_row(row)}

    return await respond(info, RevokeApiKeyPayload, rule, answer)
