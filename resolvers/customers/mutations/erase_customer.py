"""`eraseCustomer`: the right to be forgotten."""

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.core.enums import ActorKind
from models.customers import erasure
from resolvers.context import Info
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.input
class EraseCustomerInput:
    customer_id: strawberry.ID


@strawberry.type
class EraseCustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


async def erase_customer(info: Info, input: EraseCustomerInput) -> EraseCustomerPayload:
    async def rule(session: AsyncSession) -> customers.Customer:
        customer_id = input_pk(input.customer_id, "Customer", "customerId")
        return await erasure.erase_customer(session, info.context.actor, customer_id)

    def answer(row: customers.Customer) -> dict[str, Any]:
        # Its sessions were revoked: this process forgets them at once.
        info.context.credentials.forget_subject(ActorKind.CUSTOMER, row.id)
        return {"customer": Customer.from_row(row, info.context.organization.currency)}

    return await respond(info, EraseCustomerPayload, rule, answer)
