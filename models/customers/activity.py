"""Customers' activity, read from their domain events: newest first, a page per customer.

The events are the audit log (docs/ARCHITECTURE.md, 3); this module only reads them. Ids grow
with time, so "newest first" is `id` descending and a page continues below the last id it
showed.
"""

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.access.api_keys import ApiKey
from models.access.staff import StaffUser
from models.core.base import columns_of, id_table
from models.core.enums import ActorKind
from models.core.events import DomainEvent


async def events_of_customers(session: AsyncSession, customer_ids: Sequence[int], limit: int,
                              before_id: int | None = None) -> dict[int, list[Row[Any]]]:
    """Up to `limit` events per customer, newest first, older than `before_id`; one statement;
    as rows with the `DomainEvent` columns' names.

    On PostgreSQL each customer's newest events are read straight off the (customer, id) index
    with a LATERAL join; elsewhere a window ranks each customer's events.
    """
    where: list[ColumnElement[bool]] = []
    if before_id is not None:
        where.append(DomainEvent.id < before_id)
    if session.get_bind().dialect.name == "postgresql":
        wanted = id_table(customer_ids, "wanted", "customer_id")
        page = (select(DomainEvent)
                .where(DomainEvent.customer_id == wanted.c.customer_id, *where)
                .order_by(DomainEvent.id.desc()).limit(limit).lateral("page"))
        event = aliased(DomainEvent, page)
        statement = select(*columns_of(event)).select_from(wanted).join(page, true())
    else:
        ranked = (
            select(DomainEvent, func.row_number().over(
                partition_by=DomainEvent.customer_id, order_by=DomainEvent.id.desc())
                .label("rank"))
            .where(DomainEvent.customer_id.in_(customer_ids), *where)
            .subquery()
        )
        event = aliased(DomainEvent, ranked)
        statement = select(*columns_of(event)).where(ranked.c.rank <= limit)
    by_customer: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in await session.execute(statement):
        by_customer[row.customer_id].append(row)
    for events in by_customer.values():
        events.sort(key=lambda e: e.id, reverse=True)
    return by_customer


async def count_events_of_customers(session: AsyncSession, customer_ids: Sequence[int]
                                    ) -> dict[int, int]:
    rows = await session.execute(
        select(DomainEvent.customer_id, func.count())
        .where(DomainEvent.customer_id.in_(customer_ids))
        .group_by(DomainEvent.customer_id))
    return {cid: int(n) for cid, n in rows if cid is not None}


# Who can be named in the log: the API keys and staff users that acted (by kind and id).
NAMED: dict[ActorKind, type[ApiKey] | type[StaffUser]] = {
    ActorKind.API_KEY: ApiKey, ActorKind.STAFF_USER: StaffUser}


async def actor_names(session: AsyncSession, actors: Collection[tuple[ActorKind, str]]
                      ) -> dict[tuple[ActorKind, str], str]:
    """The names of the API keys and staff users among `actors` (kind, id); one statement per
    kind. Other kinds, and ids of nothing, are left out."""
    wanted = {kind: sorted({int(i) for k, i in actors if k is kind and i.isdigit()})
              for kind in NAMED}
    names: dict[tuple[ActorKind, str], str] = {}
    for kind, ids in wanted.items():
        if ids:
            table = NAMED[kind]
            rows = await session.execute(select(table.id, table.name).where(table.id.in_(ids)))
            names.update({(kind, str(pk)): name for pk, name in rows})
    return names
