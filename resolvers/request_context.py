"""What the server (and the tests) call to serve one request: its loaders, built from the
domains' batch reads and the types' conversions, and the context that holds them.

This is the one module that knows both sides: `resolvers/<domain>/loaders.py` read rows
through a `ReadScope` and know nothing of GraphQL; the types (`from_row`, `of_pages`) make the
GraphQL objects; here each DataLoader is a batch read followed by its conversion, so that a
field can answer with the loader's future itself (the engine completes it without a coroutine
of its own; bench/README.md). The context imports no type, and the types import the context.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.access.permissions import Permission, allows
from models.core.actors import Actor
from models.core.tenancy import ReadScope
from models.orders.search import OrderCriteria
from resolvers.context import Context, OrganizationProfile, read_scope
from resolvers.customers import activity_entries
from resolvers.customers.loaders import (
    load_activity,
    load_activity_counts,
    load_actor_names,
    load_addresses,
    load_consent_history,
    load_customer_stores,
    load_customers,
)
from resolvers.customers.types import Address, ConsentEvent, Customer, Loyalty
from resolvers.dataloaders import DataLoaders, LoaderFamily
from resolvers.loyalty.loaders import load_ledgers, load_memberships
from resolvers.loyalty.types import LoyaltyLedgerEntry
from resolvers.orders.loaders import (
    load_order_counts,
    load_order_items,
    load_order_pages,
    load_orders,
)
from resolvers.orders.types import Order, OrderConnection, OrderItem
from resolvers.organizations.loaders import load_stores
from resolvers.organizations.stores import Store
from resolvers.pagination import Window

Row = TypeVar("Row")
T = TypeVar("T")


def build_context(*, actor: Actor, organization: OrganizationProfile,
                  read_sessions: async_sessionmaker[AsyncSession],
                  write_sessions: async_sessionmaker[AsyncSession], **options: Any) -> Context:
    """The context of one request, with loaders for its organization and the actor's stores;
    `options` are the context's other fields (settings, caches, the server's services)."""
    loaders = build_loaders(read_scope(actor, organization, read_sessions),
                            allows(actor, Permission.NOTES))
    return Context(actor=actor, organization=organization, read_sessions=read_sessions,
                   write_sessions=write_sessions, loaders=loaders, **options)


def build_loaders(scope: ReadScope, shows_notes: bool) -> DataLoaders:
    """Every loader of one request. `shows_notes`: whether the caller may read notes, whose
    values the activity log then shows."""
    currency = scope.currency

    def each(read: Callable[[ReadScope, list[Any]], Awaitable[Sequence[Row | None]]],
             convert: Callable[[Row], T]) -> DataLoader[Any, T | None]:
        async def load(keys: list[Any]) -> list[T | None]:
            return [None if row is None else convert(row) for row in await read(scope, keys)]
        return DataLoader(load)

    def every(read: Callable[[ReadScope, list[Any]], Awaitable[Sequence[Sequence[Row]]]],
              convert: Callable[[Row], T]) -> DataLoader[Any, list[T]]:
        async def load(keys: list[Any]) -> list[list[T]]:
            return [[convert(row) for row in rows] for rows in await read(scope, keys)]
        return DataLoader(load)

    def plain(read: Callable[[ReadScope, list[Any]], Awaitable[list[T]]]) -> DataLoader[Any, T]:
        async def load(keys: list[Any]) -> list[T]:
            return await read(scope, keys)
        return DataLoader(load)

    store = each(load_stores, Store.from_row)
    actor_names = plain(load_actor_names)

    async def loyalty(keys: list[tuple[int, int, int]]) -> list[Loyalty | None]:
        memberships = await load_memberships(scope, [key[0] for key in keys])
        return [None if membership is None else Loyalty.of(membership, balance, earned)
                for membership, (_, balance, earned) in zip(memberships, keys, strict=True)]

    async def customer_orders(criteria: OrderCriteria, page: Window,
                              cursor: tuple[Any, ...] | None, keys: list[int]
                              ) -> list[OrderConnection]:
        pages = await load_order_pages(scope, criteria, page.size, cursor, keys)
        store_ids = sorted({o.store_id for orders in pages.orders.values()
                            for o in orders[:page.size] if o.store_id is not None})
        stores = dict(zip(store_ids, await store.load_many(store_ids), strict=True))
        return OrderConnection.of_pages(keys, pages, stores, page, criteria, currency)

    async def order_counts(criteria: OrderCriteria, keys: list[int]) -> list[int]:
        return await load_order_counts(scope, criteria, keys)

    async def customer_activity(page: Window, before_id: int | None, keys: list[int]
                                ) -> list[Any]:
        events = await load_activity(scope, page.size + 1, before_id, keys)
        actors = sorted({actor for rows in events for row in rows[:page.size]
                         if (actor := activity_entries.named_actor(row.actor_kind, row.actor_id))
                         is not None}, key=lambda a: (a[0].value, a[1]))
        names = dict(zip(actors, await actor_names.load_many(actors), strict=True))
        return activity_entries.activity_connections(keys, events, page, names, currency,
                                                     shows_notes)

    return DataLoaders(
        store=store,
        customer=each(load_customers, lambda row: Customer.from_row(row, currency)),
        order=each(load_orders, lambda row: Order.from_row(row, currency)),
        customer_stores=every(load_customer_stores, Store.from_row),
        addresses=every(load_addresses, Address.from_row),
        consent_history=every(load_consent_history, ConsentEvent.from_row),
        loyalty=DataLoader(loyalty),
        loyalty_ledger=every(load_ledgers, LoyaltyLedgerEntry.from_row),
        order_items=every(load_order_items, lambda row: OrderItem.from_row(row, currency)),
        actor_names=actor_names,
        activity_count=plain(load_activity_counts),
        customer_orders=LoaderFamily(customer_orders),
        order_count=LoaderFamily(order_counts),
        customer_activity=LoaderFamily(customer_activity),
    )
