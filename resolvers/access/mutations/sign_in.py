"""`signIn`: a staff user's email and password, in the organization named by its slug, for an
access token and a refresh token."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.sessions import start_session
from models.access.staff import authenticate_staff, wrong_credentials
from models.core.enums import ActorKind
from models.core.errors import ErrorCode, error
from models.organizations.table import organization_id_by_slug
from resolvers.access.types import SessionTokensPayload, staff_users_of
from resolvers.context import Info
from resolvers.user_errors import UserError, run_rule


@strawberry.input
class SignInInput:
    organization: str = strawberry.field(description="The organization's slug.")
    email: str
    password: str


@strawberry.type(description="The tokens of a new session. A wrong organization, email or "
                             "password is one and the same `INVALID_CREDENTIALS` error.")
class SignInPayload(SessionTokensPayload):
    pass


# Password guessing against one account, from however many addresses: attempts per
# organization and email, across processes when Redis is configured.
ATTEMPTS, PERIOD_SECONDS = 10, 15 * 60


async def sign_in(info: Info, input: SignInInput) -> SignInPayload:
    context = info.context
    account = f"{input.organization.strip().lower()}:{input.email.strip().lower()}"
    wait = await context.throttle(f"staff-sign-in:{account}", ATTEMPTS, PERIOD_SECONDS)
    if wait is not None:
        return SignInPayload.refused([UserError.of(error(
            "", ErrorCode.TOO_MANY_ATTEMPTS,
            f"Too many sign-in attempts for this account; try again in {wait} seconds."))])
    async with context.read_session() as session:
        organization_id = await organization_id_by_slug(session, input.organization)
    if organization_id is None:
        refusal = await wrong_credentials(input.password)
        return SignInPayload.refused([UserError.of(p) for p in refusal.errors])

    async def rule(session: AsyncSession) -> SignInPayload:
        user = await authenticate_staff(session, input.email, input.password)
        row, access, refresh = await start_session(
            session, user.organization_id, ActorKind.STAFF_USER, user.id,
            context.token_lifetimes)
        return SignInPayload.of(row, access, refresh, (await staff_users_of(session, [user]))[0])

    payload, errors = await run_rule(info, rule, context.organization_session(organization_id))
    return payload or SignInPayload.refused(errors)


