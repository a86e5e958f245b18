"""`signOut`: end the session of the access token the request carries, or every session of
the signed-in user."""

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.sessions import revoke_session, revoke_subject_sessions
from models.core.errors import ErrorCode, Rejected, error
from resolvers.context import Info
from resolvers.user_errors import UserError, respond

NO_SESSION = "Only a signed-in session can sign out; revoke an API key with `revokeApiKey`."


@strawberry.input
class SignOutInput:
    everywhere: bool = strawberry.field(
        default=False, description="Also end the user's sessions on every other device.")


@strawberry.type
class SignOutPayload:
    signed_out: bool = False
    user_errors: list[UserError]


async def sign_out(info: Info, input: SignOutInput) -> SignOutPayload:
    context = info.context
    actor, auth_session_id = context.actor, context.auth_session_id

    async def rule(session: AsyncSession) -> bool:
        if auth_session_id is None or actor.id is None:
            raise Rejected([error("", ErrorCode.INVALID, NO_SESSION)])
        if input.everywhere:
            await revoke_subject_sessions(session, actor.kind, int(actor.id))
        await revoke_session(session, auth_session_id)
        return True

    def answer(done: bool) -> dict[str, Any]:
        context.credentials.forget_session(auth_session_id or 0)
        if input.everywhere and actor.id is not None:
            context.credentials.forget_subject(actor.kind, int(actor.id))
        return {"signed_out": done}

    return await respond(info, SignOutPayload, rule, answer)
