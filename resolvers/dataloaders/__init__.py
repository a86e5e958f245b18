"""The per-request dataloaders: one batched query per relation, whatever the page size."""

from collections.abc import Hashable
from functools import partial
from typing import TYPE_CHECKING, Any

from aiodataloader import DataLoader

from models.orders.search import OrderCriteria
from resolvers.dataloaders.actor_names import load_actor_names
from resolvers.dataloaders.addresses import load_addresses
from resolvers.dataloaders.consent_history import load_consent_history
from resolvers.dataloaders.customer_activity import (
    load_activity_counts,
    load_customer_activity,
)
from resolvers.dataloaders.customer_orders import load_customer_orders, load_order_counts
from resolvers.dataloaders.customer_stores import load_customer_stores
from resolvers.dataloaders.customers import load_customers
from resolvers.dataloaders.loyalty_accounts import load_loyalty
from resolvers.dataloaders.loyalty_ledger import load_loyalty_ledger
from resolvers.dataloaders.order_items import load_order_items
from resolvers.dataloaders.orders import load_orders
from resolvers.dataloaders.stores import load_stores
from resolvers.pagination import Window

if TYPE_CHECKING:
    from resolvers.context import Context


class DataLoaders:
    """Built once per request; loaders that take arguments are made once per argument set."""

    def __init__(self, context: "Context") -> None:
        self._context = context
        self._by_arguments: dict[Hashable, DataLoader[Any, Any]] = {}
        self.store = DataLoader(partial(load_stores, context))
        self.customer = DataLoader(partial(load_customers, context))
        self.order = DataLoader(partial(load_orders, context))
        self.customer_stores = DataLoader(partial(load_customer_stores, context))
        self.addresses = DataLoader(partial(load_addresses, context))
        self.consent_history = DataLoader(partial(load_consent_history, context))
        self.loyalty = DataLoader(partial(load_loyalty, context))
        self.loyalty_ledger = DataLoader(partial(load_loyalty_ledger, context))
        self.order_items = DataLoader(partial(load_order_items, context))
        self.actor_names = DataLoader(partial(load_actor_names, context))
        self.activity_count = DataLoader(partial(load_activity_counts, context))

    def clear(self) -> None:
        """Forget everything loaded. The server calls it once a response is complete: the
        executor and Strawberry's extensions hold the context in reference cycles, so what the
        loaders cached (every row and object of the page) would otherwise wait for the cyclic
        garbage collector, whose full collections then cost tens of milliseconds."""
        for loader in (*vars(self).values(), *self._by_arguments.values()):
            if isinstance(loader, DataLoader):
                loader.clear_all()
        self._by_arguments.clear()

    def customer_orders(self, criteria: OrderCriteria, page: Window,
                        cursor: tuple[Any, ...] | None) -> DataLoader[Any, Any]:
        key = ("customer_orders", criteria, page, cursor)
        if key not in self._by_arguments:
            self._by_arguments[key] = DataLoader(
                partial(load_customer_orders, self._context, criteria, page, cursor))
        return self._by_arguments[key]

    def order_count(self, criteria: OrderCriteria) -> DataLoader[Any, Any]:
        key = ("order_count", criteria)
        if key not in self._by_arguments:
            self._by_arguments[key] = DataLoader(
                partial(load_order_counts, self._context, criteria))
        return self._by_arguments[key]

    def customer_activity(self, page: Window, before_id: int | None) -> DataLoader[Any, Any]:
        key = ("customer_activity", page, before_id)
        if key not in self._by_arguments:
            self._by_arguments[key] = DataLoader(
                partial(load_customer_activity, self._context, page, before_id))
        return self._by_arguments[key]
