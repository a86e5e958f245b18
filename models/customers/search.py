"""The customer list: what each filter means, how each sort orders, and how a page is read.

The GraphQL layer translates its inputs into a `CustomerCriteria` and a list of `CustomerOrder`
and calls `list_customers`, `count_customers` or `customer_stats`; the rules live here.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.base import utcnow
from models.core.enums import CustomerSource, CustomerType, RiskLevel, ShopperLevel
from models.core.keyset import SortKey, after, order_by
from models.core.phones import looks_like_phone, search_digits
from models.core.text import fold, like_pattern
from models.customers.table import Customer, CustomerStore

T = TypeVar("T")


class CustomerSortField(Enum):
    NAME = "NAME"
    EMAIL = "EMAIL"
    REGISTERED_AT = "REGISTERED_AT"
    LAST_ACCESS_AT = "LAST_ACCESS_AT"
    LAST_ORDER_AT = "LAST_ORDER_AT"
    ORDER_COUNT = "ORDER_COUNT"
    TOTAL_SPENT = "TOTAL_SPENT"
    AVERAGE_SPEND = "AVERAGE_SPEND"
    POINTS_BALANCE = "POINTS_BALANCE"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


SORT_COLUMNS = {
    CustomerSortField.NAME: Customer.sort_name,
    CustomerSortField.EMAIL: Customer.email,
    CustomerSortField.REGISTERED_AT: Customer.registered_at,
    CustomerSortField.LAST_ACCESS_AT: Customer.last_access_at,
    CustomerSortField.LAST_ORDER_AT: Customer.last_order_at,
    CustomerSortField.ORDER_COUNT: Customer.order_count,
    CustomerSortField.TOTAL_SPENT: Customer.total_spent,
    CustomerSortField.AVERAGE_SPEND: Customer.average_spend,
    CustomerSortField.POINTS_BALANCE: Customer.points_balance,
    CustomerSortField.CREATED_AT: Customer.created_at,
    CustomerSortField.UPDATED_AT: Customer.updated_at,
}
DATETIME_SORTS = {
    CustomerSortField.REGISTERED_AT, CustomerSortField.LAST_ACCESS_AT,
    CustomerSortField.LAST_ORDER_AT, CustomerSortField.CREATED_AT, CustomerSortField.UPDATED_AT,
}


@dataclass(frozen=True, slots=True)
class CustomerOrder:
    field: CustomerSortField
    descending: bool = False


DEFAULT_ORDER = (CustomerOrder(CustomerSortField.CREATED_AT, descending=True),)


@dataclass(frozen=True, slots=True)
class Between(Generic[T]):
    """Inclusive bounds; either may be open. For times, `high` is exclusive (see `time_range`)."""

    low: T | None = None
    high: T | None = None


@dataclass(frozen=True, slots=True)
class CustomerCriteria:
    """Every filter of the customer list; they combine with AND. None means 'any'."""

    ids: tuple[int, ...] | None = None
    search: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    types: tuple[CustomerType, ...] | None = None
    sources: tuple[CustomerSource, ...] | None = None
    store_ids: tuple[int, ...] | None = None
    main_store_ids: tuple[int, ...] | None = None
    registered_at: Between[datetime] | None = None
    last_access_at: Between[datetime] | None = None
    last_order_at: Between[datetime] | None = None
    updated_at: Between[datetime] | None = None  # any write to the customer row moves it
    order_count: Between[int] | None = None
    total_spent: Between[int] | None = None  # minor units
    subscribed: bool | None = None
    risk_levels: tuple[RiskLevel, ...] | None = None
    shopper_levels: tuple[ShopperLevel, ...] | None = None
    tax_exempt: bool | None = None


def conditions(criteria: CustomerCriteria, default_country: str) -> list[ColumnElement[bool]]:
    c = criteria
    where: list[ColumnElement[bool]] = [Customer.erased_at.is_(None)]
    if c.ids is not None:
        where.append(Customer.id.in_(c.ids))
    if c.search:
        where.extend(_search_box(c.search, default_country))
    if c.name:
        where.extend(_contains(Customer.sort_name, token) for token in fold(c.name).split())
    if c.email:
        where.append(_contains(Customer.email, c.email.strip().lower()))
    if c.phone and (digits := search_digits(c.phone, default_country)):
        where.append(_contains(Customer.phone_e164, digits))
    for column, values in (
        (Customer.type, c.types), (Customer.source, c.sources),
        (Customer.main_store_id, c.main_store_ids), (Customer.risk_level, c.risk_levels),
        (Customer.shopper_level, c.shopper_levels),
    ):
        if values is not None:
            where.append(column.in_(values))
    if c.store_ids is not None:
        where.append(exists().where(CustomerStore.customer_id == Customer.id,
                                    CustomerStore.store_id.in_(c.store_ids)))
    time_columns: tuple[tuple[Any, Between[datetime] | None], ...] = (
        (Customer.registered_at, c.registered_at),
        (Customer.last_access_at, c.last_access_at),
        (Customer.last_order_at, c.last_order_at),
        (Customer.updated_at, c.updated_at),
    )
    for column, times in time_columns:
        if times is not None:
            where.extend(_time_range(column, times))
    for column, bounds in ((Customer.order_count, c.order_count),
                           (Customer.total_spent, c.total_spent)):
        if bounds is not None:
            where.extend(_inclusive_range(column, bounds))
    if c.subscribed is not None:
        where.append(Customer.subscribed.is_(c.subscribed))
    if c.tax_exempt is not None:
        where.append(Customer.tax_exempt.is_(c.tax_exempt))
    return where


def _search_box(text: str, default_country: str) -> list[ColumnElement[bool]]:
    """One box over name, email, phone, external ID and membership ID."""
    if looks_like_phone(text):
        digits = search_digits(text, default_country)
        return [_contains(Customer.search_text, digits)]
    return [_contains(Customer.search_text, token) for token in fold(text).split()]


def _contains(column: Any, fragment: str) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = column.like(like_pattern(fragment), escape="\\")
    return condition


def _time_range(column: Any, times: Between[datetime]) -> list[ColumnElement[bool]]:
    """`low` inclusive, `high` exclusive: consecutive ranges never count a moment twice."""
    where = []
    if times.low is not None:
        where.append(column >= times.low)
    if times.high is not None:
        where.append(column < times.high)
    return where


def _inclusive_range(column: Any, bounds: Between[int]) -> list[ColumnElement[bool]]:
    where = []
    if bounds.low is not None:
        where.append(column >= bounds.low)
    if bounds.high is not None:
        where.append(column <= bounds.high)
    return where


# Missing dates sort as the earliest (first ascending, last descending); a missing email sorts
# after every address from A to Z. Each choice is the one the key's index serves both ways.
NULLS_LOW = frozenset(DATETIME_SORTS)


def sort_keys(ordering: Sequence[CustomerOrder]) -> list[SortKey]:
    """The keys to order by: the requested ones, then id in the first one's direction."""
    ordering = list(ordering) or list(DEFAULT_ORDER)
    keys = [SortKey(SORT_COLUMNS[o.field], o.descending, nulls_low=o.field in NULLS_LOW)
            for o in ordering]
    keys.append(SortKey(Customer.id, ordering[0].descending))
    return keys


def cursor_values(customer: Customer, ordering: Sequence[CustomerOrder]) -> list[Any]:
    """The values a cursor holds for a row: one per sort key, the id last."""
    return cursor_reader(ordering)(customer)


def cursor_reader(ordering: Sequence[CustomerOrder]) -> Callable[[Customer], list[Any]]:
    """`cursor_values` for many rows of one page: the sort keys are worked out once."""
    names = [key.column.key for key in sort_keys(ordering)]
    return lambda customer: [getattr(customer, name) for name in names]


@dataclass(frozen=True, slots=True)
class Page:
    """Where to read: `limit` rows after (or, with `backwards`, before) the `cursor` values."""

    limit: int
    cursor: Sequence[Any] | None = None
    backwards: bool = False


@dataclass(frozen=True, slots=True)
class CustomerPage:
    rows: list[Customer]
    has_more: bool  # beyond the page in reading direction


async def list_customers(
    session: AsyncSession,
    criteria: CustomerCriteria,
    ordering: Sequence[CustomerOrder],
    page: Page,
    default_country: str,
) -> CustomerPage:
    keys = sort_keys(ordering)
    statement = select(Customer).where(*conditions(criteria, default_country))
    if page.cursor is not None:
        statement = statement.where(after(keys, page.cursor, reverse=page.backwards))
    statement = statement.order_by(*order_by(keys, reverse=page.backwards)).limit(page.limit + 1)
    rows = list((await session.scalars(statement)).all())
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    if page.backwards:
        rows.reverse()
    return CustomerPage(rows, has_more)


async def count_customers(
    session: AsyncSession, criteria: CustomerCriteria, default_country: str
) -> int:
    statement = select(func.count()).select_from(Customer).where(
        *conditions(criteria, default_country))
    return int((await session.execute(statement)).scalar_one())


@dataclass(frozen=True, slots=True)
class CustomerStats:
    total: int
    registered: int
    guests: int
    subscribed: int
    new_last_30_days: int
    with_orders: int
    order_count: int
    total_spent: int  # minor units
    by_source: dict[CustomerSource, int]


async def customer_stats(
    session: AsyncSession, criteria: CustomerCriteria, default_country: str,
    now: datetime | None = None,
) -> CustomerStats:
    where = conditions(criteria, default_country)
    since = (now or utcnow()) - timedelta(days=30)
    totals = (await session.execute(
        select(
            func.count(),
            _count_where(Customer.type == CustomerType.REGISTERED),
            _count_where(Customer.type == CustomerType.GUEST),
            _count_where(Customer.subscribed.is_(True)),
            _count_where(Customer.created_at >= since),
            _count_where(Customer.order_count > 0),
            func.coalesce(func.sum(Customer.order_count), 0),
            func.coalesce(func.sum(Customer.total_spent), 0),
        ).select_from(Customer).where(*where)
    )).one()
    by_source = (await session.execute(
        select(Customer.source, func.count()).where(*where).group_by(Customer.source)
    )).all()
    total, registered, guests, subscribed, new, with_orders, orders, spent = (
        int(v or 0) for v in totals)
    return CustomerStats(
        total=total, registered=registered, guests=guests, subscribed=subscribed,
        new_last_30_days=new, with_orders=with_orders, order_count=orders, total_spent=spent,
        by_source={source: int(n) for source, n in by_source},
    )


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
