"""A page of each customer's activity (their domain events, newest first), and their counts."""

from typing import TYPE_CHECKING

from models.customers.activity import count_events_of_customers, events_of_customers
from resolvers.activity.entries import activity_entry, named_actor
from resolvers.activity.types import ACTIVITY_CURSOR, ActivityConnection, ActivityEdge
from resolvers.pagination import Window, encode_cursor, page_info

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = ActivityConnection


async def load_customer_activity(context: "Context", page: Window, before_id: int | None,
                                 keys: list[Key]) -> list[Result]:
    """One statement for the whole batch, and one for the names of the keys and users who
    acted (`actor_names`), whatever the number of customers."""
    async with context.read_session() as session:
        rows = await events_of_customers(session, keys, page.size + 1, before_id)
    shown = [row for events in rows.values() for row in events[: page.size]]
    actors = sorted({actor for row in shown
                     if (actor := named_actor(row.actor_kind, row.actor_id)) is not None},
                    key=lambda a: (a[0].value, a[1]))
    names = dict(zip(actors, await context.loaders.actor_names.load_many(actors), strict=True))
    show_notes = context.shows_notes  # notes' values, as `Customer.notes`: decided per request
    currency = context.organization.currency
    connections = []
    for key in keys:
        events = rows.get(key, [])
        edges = [ActivityEdge(cursor=encode_cursor(ACTIVITY_CURSOR, [row.id]),
                              node=activity_entry(row, currency, names, show_notes))
                 for row in events[: page.size]]
        connections.append(ActivityConnection(
            edges=edges, page_info=page_info(page, [e.cursor for e in edges],
                                             len(events) > page.size),
            customer_pk=key))
    return connections


async def load_activity_counts(context: "Context", keys: list[Key]) -> list[int]:
    async with context.read_session() as session:
        counts = await count_events_of_customers(session, keys)
    return [counts.get(key, 0) for key in keys]
