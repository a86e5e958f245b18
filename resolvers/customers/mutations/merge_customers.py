"""`mergeCustomers`: fold duplicates into one customer."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.customers import merge
from resolvers.context import Info
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.input
class MergeCustomersInput:
    target_id: strawberry.ID = strawberry.field(description="The customer that stays.")
    source_ids: list[strawberry.ID] = strawberry.field(
        description="The customers merged into the target and removed; their IDs then "
                    "resolve to the target.")


@strawberry.type
class MergeCustomersPayload:
    customer: Customer | None
    user_errors: list[UserError]


async def merge_customers(info: Info, input: MergeCustomersInput) -> MergeCustomersPayload:
    async def rule(session: AsyncSession) -> customers.Customer:
        target = input_pk(input.target_id, "Customer", "targetId")
        sources = [input_pk(i, "Customer", "sourceIds") for i in input.source_ids]
        return await merge.merge_customers(session, info.context.actor, target, sources)

    return await respond(info, MergeCustomersPayload, rule, lambda row: {
        "customer": Customer.from_row(row, info.context.organization.currency)})
