"""`addCustomer`: staff add a registered customer by hand."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.customers.profile import add_customer as add_customer_rule
from models.customers.table import Customer as CustomerRow
from resolvers.context import Info
from resolvers.customers.inputs import ProfileInput, sent_fields
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, run_rule


@strawberry.input(description="First name, last name, email, phone and address are required.")
class AddCustomerInput(ProfileInput):
    pass


@strawberry.type
class AddCustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


async def add_customer(info: Info, input: AddCustomerInput) -> AddCustomerPayload:
    async def rule(session: AsyncSession) -> CustomerRow:
        return await add_customer_rule(session, info.context.actor, sent_fields(input))

    row, errors = await run_rule(info, rule)
    currency = info.context.organization.currency
    return AddCustomerPayload(customer=Customer.from_row(row, currency) if row else None,
                              user_errors=errors)
