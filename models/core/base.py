"""Declarative base, column types shared by every table, and the tenant mixin."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    TypeDecorator,
    any_,
    bindparam,
    column,
    func,
    literal,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import TableValuedAlias

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a real bigint.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class OfCustomer(Protocol):
    @property
    def customer_id(self) -> int: ...


Child = TypeVar("Child", bound=OfCustomer)


def by_customer(rows: Iterable[Child]) -> dict[int, list[Child]]:
    """Rows of many customers (addresses, consent decisions, ledger entries), in their order,
    grouped by customer: what the loaders of a page read in one statement."""
    grouped: dict[int, list[Child]] = defaultdict(list)
    for row in rows:
        grouped[row.customer_id].append(row)
    return grouped


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:
            # asyncpg reads timestamptz as UTC already: no conversion (hundreds a list page).
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[Enum]) -> SAEnum:
    """Enums are stored by name as short strings, so that both databases hold the same thing."""
    return SAEnum(enum, native_enum=False, length=40, validate_strings=True,
                  create_constraint=False)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {datetime: UtcDateTime()}


class TenantScoped:
    """Rows that belong to one organization; every ORM query on them is filtered by it."""

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        return mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                             nullable=False)


def columns_of(entity: Any) -> list[Any]:
    """Every mapped column of an entity (or an alias of one), to read rows rather than objects:
    a page of hundreds of rows reads several times faster as rows, and the ORM still scopes the
    statement to the organization (models/core/tenancy.py), which a bare Table select would not."""
    from sqlalchemy import inspect

    mapper = inspect(entity).mapper
    return [getattr(entity, attr.key) for attr in mapper.column_attrs]


def id_table(ids: Sequence[int] | BindParameter[Any], name: str, column_name: str
             ) -> TableValuedAlias:
    """PostgreSQL: the ids as a one-column table, from a single array parameter (`unnest`):
    the ids themselves, or a parameter of a statement built once and run with many lists.

    The statement's text stays the same whatever the ids, so SQLAlchemy's compiled-statement
    cache and the database's prepared statements are reused; a `VALUES` list of literals made
    a new statement, compiled and planned anew, for every page.
    """
    array = ids if isinstance(ids, BindParameter) else literal(list(ids), ARRAY(BigInteger))
    return func.unnest(array).table_valued(column(column_name, BigInteger)).render_derived(name)


def among(session: Any, column: Any, values: Sequence[Any]) -> Any:
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)`, one parameter whatever the
    number of values, so that a batch of a thousand is one short statement, prepared once."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
