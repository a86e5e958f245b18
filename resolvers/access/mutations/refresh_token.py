"""`refreshToken`: trade a refresh token for a new access token and a new refresh token.

The old access token dies with the rotation. A refresh token that was already traded means a
copy of it is in other hands: the whole session is revoked.
"""

import strawberry

from models.access.sessions import RefreshTokenReused, refresh_session
from models.access.staff import active_staff_user
from models.core.enums import ActorKind
from models.core.errors import Rejected
from resolvers.access.types import SessionTokensPayload, staff_users_of
from resolvers.context import Info
from resolvers.user_errors import UserError


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.type
class RefreshTokenPayload(SessionTokensPayload):
    pass


async def refresh_token(info: Info, input: RefreshTokenInput) -> RefreshTokenPayload:
    context = info.context
    try:
        # The caller has no valid access token, so no organization: the token's hash finds it.
        async with context.token_session() as session:
            try:
                row, access, refresh = await refresh_session(session, input.refresh_token,
                                                             context.token_lifetimes)
            except RefreshTokenReused as reused:
                await session.commit()  # the revocation stands
                context.credentials.forget_session(reused.auth_session_id)
                raise
            user = None
            if row.subject_kind is ActorKind.STAFF_USER:
                staff = await active_staff_user(session, row.organization_id, row.subject_id,
                                                "refreshToken")
                user = (await staff_users_of(session, [staff]))[0]
            await session.commit()
    except Rejected as rejected:
        return RefreshTokenPayload.refused([UserError.of(p) for p in rejected.errors])
    context.credentials.forget_session(row.id)
    return RefreshTokenPayload.of(row, access, refresh, user)
