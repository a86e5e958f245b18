"""`registerGuest`: a guest becomes a registered customer, per the registration strategy."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.customers import profile
from resolvers.context import Info
from resolvers.customers.inputs import ProfileInput, sent_fields
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.input(description="What the organization's registration strategy requires: "
                              "EMAIL: email, names and an address; PHONE: a phone; "
                              "EMAIL_OR_PHONE: either. Fields the guest already has count.")
class RegisterGuestInput(ProfileInput):
    customer_id: strawberry.ID


@strawberry.type
class RegisterGuestPayload:
    customer: Customer | None
    user_errors: list[UserError]


async def register_guest(info: Info, input: RegisterGuestInput) -> RegisterGuestPayload:
    async def rule(session: AsyncSession) -> customers.Customer:
        customer_id = input_pk(input.customer_id, "Customer", "customerId")
        return await profile.register_guest(session, info.context.actor, customer_id,
                                            sent_fields(input))

    return await respond(info, RegisterGuestPayload, rule, lambda row: {
        "customer": Customer.from_row(row, info.context.organization.currency)})
