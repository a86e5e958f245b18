"""`requestSignInCode`: send a one-time code to a phone, to sign up or sign in with, or to an
email, to prove at sign-up that it is the customer's.

The answer is the same whether the phone or email is a customer's or not: asking tells nobody
who is a customer. The code is sent after it is stored, through the configured sender.
"""

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.codes import RESEND_AFTER, IssuedCode, TooSoon
from models.access.customer_sign_in import request_code
from models.organizations.table import Organization
from resolvers.access.public import run_public_rule
from resolvers.context import Info
from resolvers.user_errors import UserError


@strawberry.input
class RequestSignInCodeInput:
    organization: str = strawberry.field(description="The organization's slug.")
    phone: str | None = strawberry.field(
        default=None, description="As typed; read in the organization's country.")
    email: str | None = strawberry.field(
        default=None, description=(
            "Instead of a phone: a code that proves the email is the customer's, which "
            "`customerSignUp` asks for (`emailCode`) when the email has orders from earlier "
            "checkouts."))


@strawberry.type
class RequestSignInCodePayload:
    sent: bool
    expires_at: datetime | None = strawberry.field(description="When the code stops working.")
    retry_after_seconds: int | None = strawberry.field(
        description="How long until another code may be asked for this phone or email.")
    user_errors: list[UserError]


async def request_sign_in_code(info: Info, input: RequestSignInCodeInput
                               ) -> RequestSignInCodePayload:
    sender = info.context.code_sender
    if sender is None:
        raise RuntimeError("this context has no code sender")

    async def rule(session: AsyncSession, org: Organization
                   ) -> tuple[str, str, IssuedCode] | TooSoon:
        try:
            destination, issued = await request_code(session, org, input.phone, input.email)
        except TooSoon as wait:  # not a failure to roll back: nothing was written
            return wait
        return org.slug, destination, issued

    result, errors = await run_public_rule(info, input.organization, rule)
    if isinstance(result, TooSoon):
        return RequestSignInCodePayload(
            sent=False, expires_at=None, retry_after_seconds=result.retry_after,
            user_errors=[UserError.of(p) for p in result.errors])
    if result is None:
        return RequestSignInCodePayload(sent=False, expires_at=None, retry_after_seconds=None,
                                        user_errors=errors)
    slug, destination, issued = result
    await sender.send_code(slug, destination, issued.code, issued.expires_at)
    return RequestSignInCodePayload(
        sent=True, expires_at=issued.expires_at,
        retry_after_seconds=round(RESEND_AFTER.total_seconds()), user_errors=[])
