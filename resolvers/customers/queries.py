"""Root fields `customers`, `customer` and `customerStats`."""

import strawberry

from models.customers import search
from resolvers.context import Info
from resolvers.customers.connection import CustomerConnection, CustomerEdge
from resolvers.customers.filters import CustomerFilter
from resolvers.customers.sorters import CustomerSort
from resolvers.customers.stats import CustomerStats
from resolvers.customers.types import Customer
from resolvers.node import pk_of
from resolvers.pagination import decode_cursor, encode_cursor, page_info, window


async def customers(
    info: Info,
    filter: CustomerFilter | None = None,
    sort: list[CustomerSort] | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> CustomerConnection:
    context = info.context
    organization = context.organization
    page = window(first, after, last, before, context.max_page_size)
    ordering = [s.to_order() for s in sort or []] or list(search.DEFAULT_ORDER)
    kind = "customers:" + ",".join(f"{o.field.name}:{int(o.descending)}" for o in ordering)
    criteria = filter.to_criteria(organization.currency) if filter else (
        search.CustomerCriteria())
    cursor = decode_cursor(page.cursor, kind) if page.cursor else None
    async with context.read_session() as session:
        found = await search.list_customers(
            session, criteria, ordering,
            search.Page(page.size, cursor, page.backwards),
            organization.default_country,
        )
    cursor_values = search.cursor_reader(ordering)
    edges = [
        CustomerEdge(cursor=encode_cursor(kind, cursor_values(row)),
                     node=Customer.from_row(row, organization.currency))
        for row in found.rows
    ]
    return CustomerConnection(
        edges=edges, page_info=page_info(page, [e.cursor for e in edges], found.has_more),
        criteria=criteria,
    )


async def customer(info: Info, id: strawberry.ID) -> Customer | None:
    return await info.context.loaders.customer.load(pk_of(id, "Customer"))


async def customer_stats(info: Info, filter: CustomerFilter | None = None) -> CustomerStats:
    organization = info.context.organization
    criteria = filter.to_criteria(organization.currency) if filter else (
        search.CustomerCriteria())
    async with info.context.read_session() as session:
        stats = await search.customer_stats(session, criteria,
                                                     organization.default_country)
    return CustomerStats.of(stats, organization.currency)
