"""`updateCustomer`: change any editable field of a profile; only the fields sent change."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.customers.profile import update_customer as update_customer_rule
from models.customers.table import Customer as CustomerRow
from resolvers.context import Info
from resolvers.customers.inputs import ProfileInput, sent_fields
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, run_rule


@strawberry.input
class UpdateCustomerInput(ProfileInput):
    id: strawberry.ID


@strawberry.type
class UpdateCustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


async def update_customer(info: Info, input: UpdateCustomerInput) -> UpdateCustomerPayload:
    async def rule(session: AsyncSession) -> CustomerRow:
        customer_id = input_pk(input.id, "Customer", "id")
        return await update_customer_rule(session, info.context.actor, customer_id,
                                          sent_fields(input))

    row, errors = await run_rule(info, rule)
    currency = info.context.organization.currency
    return UpdateCustomerPayload(customer=Customer.from_row(row, currency) if row else None,
                                 user_errors=errors)
