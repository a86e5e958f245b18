"""Orders of many customers at once: each customer's newest first, filtered, a page each."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.base import columns_of, id_table
from models.enums import OrderChannel, OrderStatus
from models.keyset import SortKey, after
from models.orders import Order, OrderItem

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


def cursor_values(order: Order | Row[Any]) -> list[Any]:
    """The values a cursor holds for an order in a customer's list (newest first)."""
    return [order.placed_at, order.id]


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
    where = [*order_conditions(criteria)]
    if cursor is not None:
        where.append(after(NEWEST_FIRST, cursor))
    newest_first = (Order.placed_at.desc(), Order.id.desc())
    if session.get_bind().dialect.name == "postgresql":
        wanted = id_table(customer_ids, "wanted", "customer_id")
        page = (select(Order).where(Order.customer_id == wanted.c.customer_id, *where)
                .order_by(*newest_first).limit(limit).lateral("page"))
        order = aliased(Order, page)
        statement = select(*columns_of(order)).select_from(wanted).join(page, true())
    else:
        ranked = (
            select(Order, func.row_number().over(
                partition_by=Order.customer_id, order_by=newest_first).label("rank"))
            .where(Order.customer_id.in_(customer_ids), *where)
            .subquery()
        )
        order = aliased(Order, ranked)
        statement = select(*columns_of(order)).where(ranked.c.rank <= limit)
    by_customer: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in await session.execute(statement):
        if row.customer_id is not None:
            by_customer[row.customer_id].append(row)
    for orders in by_customer.values():
        orders.sort(key=lambda o: (o.placed_at, o.id), reverse=True)
    return by_customer


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
    rows = await session.execute(
        select(*columns_of(OrderItem)).where(OrderItem.order_id.in_(order_ids))
        .order_by(OrderItem.order_id, OrderItem.position, OrderItem.id)
    )
    by_order: dict[int, list[Row[Any]]] = defaultdict(list)
    for item in rows:
        by_order[item.order_id].append(item)
    return by_order
