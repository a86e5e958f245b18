"""`mergeCustomers`: fold duplicates into one customer."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.customers.merge import merge_customers as merge_customers_rule
from models.customers.table import Customer as CustomerRow
from resolvers.context import Info
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, run_rule


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
    async def rule(session: AsyncSession) -> CustomerRow:
        target = input_pk(input.target_id, "Customer", "targetId")
        sources = [input_pk(i, "Customer", "sourceIds") for i in input.source_ids]
        return await merge_customers_rule(session, info.context.actor, target, sources)

    row, errors = await run_rule(info, rule)
    currency = info.context.organization.currency
    return MergeCustomersPayload(customer=Customer.from_row(row, currency) if row else None,
                                 user_errors=errors)
