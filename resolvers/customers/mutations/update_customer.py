"""`updateCustomer`: change any editable field of a profile; only the fields sent change."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.customers import profile
from resolvers.context import Info
from resolvers.customers.inputs import ProfileInput, sent_fields
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.input
class UpdateCustomerInput(ProfileInput):
    id: strawberry.ID


@strawberry.type
class UpdateCustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


async def update_customer(info: Info, input: UpdateCustomerInput) -> UpdateCustomerPayload:
    async def rule(session: AsyncSession) -> customers.Customer:
        customer_id = input_pk(input.id, "Customer", "id")
        return await profile.update_customer(session, info.context.actor, customer_id,
                                             sent_fields(input))

    return await respond(info, UpdateCustomerPayload, rule, lambda row: {
        "customer": Customer.from_row(row, info.context.organization.currency)})
