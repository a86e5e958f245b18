"""`customerSignUp`: a shopper registers in the web shop or the app, and is signed in."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.access.customer_sign_up import SignUpForm, sign_up
from models.access.sessions import AuthSession, start_session
from models.core.enums import ActorKind, Device
from models.organizations.table import Organization
from resolvers.access.customer_sessions import CustomerSessionPayload
from resolvers.access.public import run_public_rule
from resolvers.context import Info
from resolvers.customers.inputs import AddressInput


@strawberry.input(description="What the organization's `registrationStrategy` asks for: "
                              "EMAIL: email, password and an address; PHONE: phone and the "
                              "code from `requestSignInCode`; EMAIL_OR_PHONE: either.")
class CustomerSignUpInput:
    organization: str = strawberry.field(description="The organization's slug.")
    first_name: str
    last_name: str
    channel: Device = strawberry.field(description="The storefront signed up on.")
    email: str | None = None
    phone: str | None = strawberry.field(
        default=None, description="As typed; read in the organization's country.")
    password: str | None = None
    code: str | None = strawberry.field(
        default=None, description="The one-time code sent to the phone.")
    email_code: str | None = strawberry.field(
        default=None, description=(
            "The one-time code sent to the email (`requestSignInCode` with `email`). Asked for "
            "(REQUIRED on `emailCode`) only when the email has orders from earlier checkouts: "
            "the code proves they are this shopper's before the account takes them over."))
    addresses: list[AddressInput] | None = None
    accepts_marketing: bool | None = strawberry.field(
        default=None, description="The marketing decision, recorded in the consent history "
                                  "when sent (true or false).")

    def to_form(self) -> SignUpForm:
        return SignUpForm(
            first_name=self.first_name, last_name=self.last_name, channel=self.channel,
            email=self.email, phone=self.phone, password=self.password, code=self.code,
            email_code=self.email_code,
            addresses=[a.to_fields() for a in self.addresses] if self.addresses else None,
            accepts_marketing=self.accepts_marketing)


async def customer_sign_up(info: Info, input: CustomerSignUpInput) -> CustomerSessionPayload:
    form = input.to_form()

    async def rule(session: AsyncSession, org: Organization
                   ) -> tuple[customers.Customer, AuthSession, str, str]:
        customer = await sign_up(session, org, form)
        row, access, refresh = await start_session(
            session, org.id, ActorKind.CUSTOMER, customer.id, info.context.token_lifetimes)
        return customer, row, access, refresh

    started, errors = await run_public_rule(info, input.organization, rule)
    if started is None:
        return CustomerSessionPayload.refused(errors)
    return CustomerSessionPayload.of(started, info.context.organization.currency)
