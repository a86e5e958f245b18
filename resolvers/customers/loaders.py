"""Per-request batch reads of customers and what hangs off them, by customer id: one statement
per batch, whatever the number of customers. They take a `ReadScope` (never the GraphQL context)
and return rows, in the order of the keys; `resolvers/request_context.py` makes DataLoaders of them
and the types convert the rows."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Row

from models.core.enums import ActorKind
from models.core.tenancy import ReadScope
from models.customers import activity, consent, merge, table
from models.customers.table import Customer, CustomerAddress
from models.organizations.stores import Store

ActorKey = tuple[ActorKind, str]


async def load_customers(scope: ReadScope, keys: list[int]) -> list[Customer | None]:
    """Customers by id; the id of a customer merged away loads the one it was merged into."""
    async with scope.session() as session:
        rows = await merge.customers_by_id(session, keys)
    return [rows.get(key) for key in keys]


async def load_addresses(scope: ReadScope, keys: list[int]) -> list[list[CustomerAddress]]:
    async with scope.session() as session:
        rows = await table.addresses_of_customers(session, keys)
    return [rows.get(key, []) for key in keys]


async def load_customer_stores(scope: ReadScope, keys: list[int]) -> list[list[Store]]:
    async with scope.session() as session:
        rows = await table.stores_of_customers(session, keys)
    return [rows.get(key, []) for key in keys]


async def load_consent_history(scope: ReadScope, keys: list[int]
                               ) -> list[list[consent.ConsentEvent]]:
    async with scope.session() as session:
        rows = await consent.consent_history_of_customers(session, keys)
    return [rows.get(key, []) for key in keys]


async def load_activity(scope: ReadScope, limit: int, before_id: int | None, keys: list[int]
                        ) -> list[Sequence[Row[Any]]]:
    """Up to `limit` of each customer's events, newest first, older than `before_id`."""
    async with scope.session() as session:
        rows = await activity.events_of_customers(session, keys, limit, before_id)
    return [rows.get(key, []) for key in keys]


async def load_activity_counts(scope: ReadScope, keys: list[int]) -> list[int]:
    async with scope.session() as session:
        counts = await activity.count_events_of_customers(session, keys)
    return [counts.get(key, 0) for key in keys]


async def load_actor_names(scope: ReadScope, keys: list[ActorKey]) -> list[str | None]:
    """The names of the API keys and staff users that acted, by (kind, id)."""
    names: dict[ActorKey, str] = {}
    if any(kind in activity.NAMED for kind, _ in keys):
        async with scope.session() as session:
            names = await activity.actor_names(session, keys)
    return [names.get(key) for key in keys]
