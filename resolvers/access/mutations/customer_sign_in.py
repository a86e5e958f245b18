"""`customerSignIn`: a registered customer signs in with email and password, or with phone and
the one-time code, as the organization's registration strategy allows."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.access.customer_sign_in import SignInForm, sign_in
from models.access.sessions import AuthSession, start_session
from models.core.enums import ActorKind
from models.core.errors import ErrorCode
from models.organizations.table import Organization
from resolvers.access.customer_sessions import CustomerSessionPayload
from resolvers.access.public import run_public_rule
from resolvers.context import Info
from resolvers.user_errors import UserError

PASSWORD_TRIES = 10
PASSWORD_PERIOD = 15 * 60  # seconds


@strawberry.input(description="Email and password, or phone and code: not both.")
class CustomerSignInInput:
    organization: str = strawberry.field(description="The organization's slug.")
    email: str | None = None
    password: str | None = None
    phone: str | None = None
    code: str | None = strawberry.field(
        default=None, description="The one-time code from `requestSignInCode`.")


async def customer_sign_in(info: Info, input: CustomerSignInInput) -> CustomerSessionPayload:
    if (refusal := await _too_many_tries(info, input)) is not None:
        return CustomerSessionPayload.refused([refusal])
    form = SignInForm(email=input.email, password=input.password, phone=input.phone,
                      code=input.code)

    async def rule(session: AsyncSession, org: Organization
                   ) -> tuple[customers.Customer, AuthSession, str, str]:
        customer = await sign_in(session, org, form)
        row, access, refresh = await start_session(
            session, org.id, ActorKind.CUSTOMER, customer.id, info.context.token_lifetimes)
        return customer, row, access, refresh

    started, errors = await run_public_rule(info, input.organization, rule)
    if started is None:
        return CustomerSessionPayload.refused(errors)
    return CustomerSessionPayload.of(started, info.context.organization.currency)


async def _too_many_tries(info: Info, input: CustomerSignInInput) -> UserError | None:
    """Password guessing is slowed per organization and email, as for staff (codes count their
    own tries), whether the email is a customer's or not."""
    email = (input.email or "").strip().lower()
    if not email:
        return None
    account = f"{input.organization.strip().lower()}:{email}"
    wait = await info.context.throttle(f"customer-sign-in:{account}", PASSWORD_TRIES,
                                       PASSWORD_PERIOD)
    if wait is None:
        return None
    return UserError(field=["input"], code=ErrorCode.TOO_MANY_ATTEMPTS,
                     message=f"Too many sign-in attempts with this email: try again in {wait} "
                             "seconds.")
