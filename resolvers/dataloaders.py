"""The per-request DataLoaders, as the context holds them: one batched read per relation,
whatever the page size. This module only holds them; `resolvers/request_context.py` builds them from
the domains' batch reads (`resolvers/<domain>/loaders.py`) and the types' conversions, so that
neither the context nor the loaders import the GraphQL types.

Values are the GraphQL objects the fields answer with (typed `Any` here for that reason)."""

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, fields
from typing import Any

from aiodataloader import DataLoader

Batch = Callable[[list[Any]], Awaitable[list[Any]]]


class LoaderFamily:
    """DataLoaders that take arguments (a page size, a cursor, a filter): one per argument set,
    made when first asked for, so that the same arguments batch together."""

    def __init__(self, batch: Callable[..., Awaitable[list[Any]]]) -> None:
        self._batch = batch
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def __call__(self, *arguments: Hashable) -> DataLoader[Any, Any]:
        loader = self._loaders.get(arguments)
        if loader is None:
            batch = self._batch

            async def load(keys: list[Any]) -> list[Any]:
                return await batch(*arguments, keys)

            loader = self._loaders[arguments] = DataLoader(load)
        return loader

    def clear(self) -> None:
        for loader in self._loaders.values():
            loader.clear_all()
        self._loaders.clear()


@dataclass(eq=False)
class DataLoaders:
    """Built once per request (`resolvers.request_context.build_loaders`)."""

    store: DataLoader[int, Any]
    customer: DataLoader[int, Any]
    order: DataLoader[int, Any]
    customer_stores: DataLoader[int, Any]
    addresses: DataLoader[int, Any]
    consent_history: DataLoader[int, Any]
    # Keyed by (customer id, points balance, points earned): the balance is read with the
    # customer (possibly on the primary), so the answer never mixes in a replica's balance.
    loyalty: DataLoader[tuple[int, int, int], Any]
    loyalty_ledger: DataLoader[int, Any]
    order_items: DataLoader[int, Any]
    actor_names: DataLoader[Any, Any]
    activity_count: DataLoader[int, Any]
    # customer_orders(criteria, page, cursor), order_count(criteria),
    # customer_activity(page, before_id): by customer id.
    customer_orders: LoaderFamily
    order_count: LoaderFamily
    customer_activity: LoaderFamily

    def clear(self) -> None:
        """Forget everything loaded. The server calls it once a response is complete: the
        executor and Strawberry's extensions hold the context in reference cycles, so what the
        loaders cached (every row and object of the page) would otherwise wait for the cyclic
        garbage collector, whose full collections then cost tens of milliseconds."""
        for item in fields(self):
            loader = getattr(self, item.name)
            if isinstance(loader, DataLoader):
                loader.clear_all()
            elif isinstance(loader, LoaderFamily):
                loader.clear()
