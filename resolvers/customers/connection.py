"""`CustomerConnection`: a page of the customer list with its cursors and total."""

import strawberry

from models.customers.search import CustomerCriteria, count_customers
from resolvers.common import PageInfo
from resolvers.context import Info
from resolvers.customers.types import Customer


@strawberry.type
class CustomerEdge:
    cursor: str
    node: Customer


@strawberry.type
class CustomerConnection:
    edges: list[CustomerEdge]
    page_info: PageInfo
    criteria: strawberry.Private[CustomerCriteria]

    @strawberry.field
    def nodes(self) -> list[Customer]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="Customers that match the filter, on every page.")
    async def total_count(self, info: Info) -> int:
        context = info.context
        organization = context.organization
        key = (context.actor.store_scope, organization.default_country, self.criteria)
        count = context.counts.get(organization.id, key)
        if count is None:
            async with context.read_session() as session:
                count = await count_customers(session, self.criteria,
                                              organization.default_country)
            context.counts.put(organization.id, key, count)
        return count
