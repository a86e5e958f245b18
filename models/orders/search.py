"""Orders of many customers at once: each customer's newest first, filtered, a page each."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    any_,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.core.base import UtcDateTime, columns_of, id_table
from models.core.enums import OrderChannel, OrderStatus
from models.core.keyset import SortKey, after
from models.orders.table import Order, OrderItem

NEWEST_FIRST = (SortKey(Order.placed_at, descending=True), SortKey(Order.id, descending=True))


@dataclass(frozen=True, slots=True)
class OrderCriteria:
    statuses: tuple[OrderStatus, ...] | None = None
    channels: tuple[OrderChannel, ...] | None = None
    store_ids: tuple[int, ...] | None = None
    placed_from: datetime | None = None  # inclusive
    placed_to: datetime | None = None  # exclusive


def order_conditions(criteria: OrderCriteria) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if criteria.statuses is not None:
        where.append(Order.status.in_(criteria.statuses))
    if criteria.channels is not None:
        where.append(Order.channel.in_(criteria.channels))
    if criteria.store_ids is not None:
        where.append(Order.store_id.in_(criteria.store_ids))
    if criteria.placed_from is not None:
        where.append(Order.placed_at >= criteria.placed_from)
    if criteria.placed_to is not None:
        where.append(Order.placed_at < criteria.placed_to)
    return where


async def orders_of_customers(
    session: AsyncSession,
    customer_ids: Sequence[int],
    criteria: OrderCriteria,
    limit: int,
    cursor: Sequence[Any] | None = None,
) -> dict[int, list[Row[Any]]]:
    """Up to `limit` orders per customer, newest first, after `cursor`; one statement; as rows
    with the `Order` columns' names.

    On PostgreSQL each customer's newest orders are read straight off the (customer, placed at)
    index with a LATERAL join; elsewhere a window ranks all of each customer's orders.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    statement = _newest_orders(criteria, cursor is not None, postgresql)
    parameters: dict[str, Any] = {"customer_ids": list(customer_ids), "limit": limit}
    if cursor is not None:
        parameters["after_placed_at"], parameters["after_id"] = cursor
    by_customer: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in await session.execute(statement, parameters):
        if row.customer_id is not None:
            by_customer[row.customer_id].append(row)
    for orders in by_customer.values():
        orders.sort(key=lambda o: (o.placed_at, o.id), reverse=True)
    return by_customer


@lru_cache(maxsize=256)
def _newest_orders(criteria: OrderCriteria, with_cursor: bool, postgresql: bool
                   ) -> Select[Any]:
    """The statement of `orders_of_customers`, made once per shape: the customers, the limit
    and the cursor are bound parameters. Building the LATERAL join and its alias anew for
    every page cost more CPU than running it (bench/README.md)."""
    where = order_conditions(criteria)
    if with_cursor:
        where.append(after(NEWEST_FIRST, (bindparam("after_placed_at", type_=UtcDateTime()),
                                          bindparam("after_id", type_=BigInteger))))
    newest_first = (Order.placed_at.desc(), Order.id.desc())
    limit = bindparam("limit", type_=Integer)
    if postgresql:
        wanted = id_table(bindparam("customer_ids", type_=ARRAY(BigInteger)), "wanted",
                          "customer_id")
        page = (select(Order).where(Order.customer_id == wanted.c.customer_id, *where)
                .order_by(*newest_first).limit(limit).lateral("page"))
        order = aliased(Order, page)
        return select(*columns_of(order)).select_from(wanted).join(page, true())
    ranked = (
        select(Order, func.row_number().over(
            partition_by=Order.customer_id, order_by=newest_first).label("rank"))
        .where(Order.customer_id.in_(bindparam("customer_ids", expanding=True)), *where)
        .subquery()
    )
    order = aliased(Order, ranked)
    return select(*columns_of(order)).where(ranked.c.rank <= limit)


async def count_orders_of_customers(
    session: AsyncSession, customer_ids: Sequence[int], criteria: OrderCriteria
) -> dict[int, int]:
    rows = await session.execute(
        select(Order.customer_id, func.count())
        .where(Order.customer_id.in_(customer_ids), *order_conditions(criteria))
        .group_by(Order.customer_id)
    )
    return {cid: int(n) for cid, n in rows if cid is not None}


async def items_of_orders(session: AsyncSession, order_ids: Sequence[int]
                          ) -> dict[int, list[Row[Any]]]:
    """The items of each order, in ticket order, as rows with the `OrderItem` columns' names."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    rows = await session.execute(_items_of_orders(postgresql), {"order_ids": list(order_ids)})
    by_order: dict[int, list[Row[Any]]] = defaultdict(list)
    for item in rows:
        by_order[item.order_id].append(item)
    return by_order


@lru_cache(maxsize=2)
def _items_of_orders(postgresql: bool) -> Select[Any]:
    """On PostgreSQL `= ANY(:array)`: one statement text (prepared once per connection)
    whatever the number of orders, where `IN (...)` made a new one for every count."""
    order_ids = (OrderItem.order_id == any_(bindparam("order_ids", type_=ARRAY(BigInteger)))
                 if postgresql else OrderItem.order_id.in_(bindparam("order_ids", expanding=True)))
    return (select(*columns_of(OrderItem)).where(order_ids)
            .order_by(OrderItem.order_id, OrderItem.position, OrderItem.id))


async def orders_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, Order]:
    """The orders with these ids (ids the organization lacks are left out)."""
    return {row.id: row for row in await session.scalars(select(Order).where(Order.id.in_(ids)))}
