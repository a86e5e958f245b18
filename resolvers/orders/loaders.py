"""Per-request batch reads of orders, by order id or a page per customer id. They take a
`ReadScope` (never the GraphQL context) and return rows, in the order of the keys;
`resolvers/request_context.py` makes DataLoaders of them and the types convert the rows."""

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy.engine import Row

from models.core.tenancy import ReadScope
from models.orders import search
from models.orders.table import Order


class OrderPages(NamedTuple):
    """A page of orders for each customer of a batch, with the items of the orders shown."""

    orders: dict[int, list[Row[Any]]]  # by customer id, newest first, up to one past the page
    items: dict[int, list[Row[Any]]]  # by order id, of the orders within the page
    size: int  # the page size: a customer with more orders than this has a next page


async def load_orders(scope: ReadScope, keys: list[int]) -> list[Order | None]:
    async with scope.session() as session:
        rows = await search.orders_by_id(session, keys)
    return [rows.get(key) for key in keys]


async def load_order_items(scope: ReadScope, keys: list[int]) -> list[Sequence[Row[Any]]]:
    async with scope.session() as session:
        items = await search.items_of_orders(session, keys)
    return [items.get(key, []) for key in keys]


async def load_order_pages(scope: ReadScope, criteria: search.OrderCriteria, size: int,
                           cursor: tuple[Any, ...] | None, keys: list[int]) -> OrderPages:
    """Two statements for the whole batch: the orders, and the items of those shown."""
    async with scope.session() as session:
        rows = await search.orders_of_customers(session, keys, criteria, size + 1, cursor)
        shown = [o.id for orders in rows.values() for o in orders[:size]]
        items = await search.items_of_orders(session, shown) if shown else {}
    return OrderPages(rows, items, size)


async def load_order_counts(scope: ReadScope, criteria: search.OrderCriteria, keys: list[int]
                            ) -> list[int]:
    async with scope.session() as session:
        counts = await search.count_orders_of_customers(session, keys, criteria)
    return [counts.get(key, 0) for key in keys]
