"""`eraseCustomer`: the right to be forgotten."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.enums import ActorKind
from models.customers.erasure import erase_customer as erase_customer_rule
from models.customers.table import Customer as CustomerRow
from resolvers.context import Info
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, run_rule


@strawberry.input
class EraseCustomerInput:
    customer_id: strawberry.ID


@strawberry.type
class EraseCustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


async def erase_customer(info: Info, input: EraseCustomerInput) -> EraseCustomerPayload:
    async def rule(session: AsyncSession) -> CustomerRow:
        customer_id = input_pk(input.customer_id, "Customer", "customerId")
        return await erase_customer_rule(session, info.context.actor, customer_id)

    row, errors = await run_rule(info, rule)
    if row is not None:  # its sessions were revoked: this process forgets them at once
        info.context.credentials.forget_subject(ActorKind.CUSTOMER, row.id)
    currency = info.context.organization.currency
    return EraseCustomerPayload(customer=Customer.from_row(row, currency) if row else None,
                                user_errors=errors)
