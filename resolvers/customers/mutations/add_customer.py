"""`addCustomer`: staff add a registered customer by hand."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.customers import profile
from resolvers.context import Info
from resolvers.customers.inputs import ProfileInput, sent_fields
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, respond


@strawberry.input(description="First name, last name, email, phone and address are required.")
class AddCustomerInput(ProfileInput):
    pass


@strawberry.type
class AddCustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


async def add_customer(info: Info, input: AddCustomerInput) -> AddCustomerPayload:
    async def rule(session: AsyncSession) -> customers.Customer:
        return await profile.add_customer(session, info.context.actor, sent_fields(input))

    return await respond(info, AddCustomerPayload, rule, lambda row: {
        "customer": Customer.from_row(row, info.context.organization.currency)})
