"""`registerGuest`: a guest becomes a registered customer, per the registration strategy."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.customers.profile import register_guest as register_guest_rule
from models.customers.table import Customer as CustomerRow
from resolvers.context import Info
from resolvers.customers.inputs import ProfileInput, sent_fields
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, run_rule


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
    async def rule(session: AsyncSession) -> CustomerRow:
        customer_id = input_pk(input.customer_id, "Customer", "customerId")
        return await register_guest_rule(session, info.context.actor, customer_id,
                                         sent_fields(input))

    row, errors = await run_rule(info, rule)
    currency = info.context.organization.currency
    return RegisterGuestPayload(customer=Customer.from_row(row, currency) if row else None,
                                user_errors=errors)
