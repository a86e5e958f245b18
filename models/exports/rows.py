"""The rows of a customer export: the customers the list shows for a filter and sort, read in
batches from a server-side cursor, only the fields the columns need.

The CLI and the server's export jobs both call `export_customers`, which writes the file.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from decimal import Decimal
from typing import Any, BinaryIO

from sqlalchemy import DateTime, Float, String, and_, case, cast, extract, func, select, type_coerce
from sqlalchemy import Enum as SAEnum
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.base import UtcDateTime, columns_of, utcnow
from models.core.keyset import order_by
from models.core.money import exponent
from models.core.tenancy import scoped
from models.customers.columns import Column, ColumnKind, Computed, ExportContext, Field, MoneyField
from models.customers.search import CustomerCriteria, CustomerOrder, conditions, sort_keys
from models.customers.table import Customer, CustomerAddress, CustomerStore
from models.exports.files import PREPARED, XLSX_MAX_ROWS, open_writer
from models.organizations.stores import Store

BATCH_SIZE = 1000
Progress = Callable[[int], Any]


async def customer_batches(
    session: AsyncSession, columns: Sequence[Any], criteria: CustomerCriteria,
    ordering: Sequence[CustomerOrder], default_country: str, *, batch_size: int = BATCH_SIZE,
) -> AsyncIterator[Sequence[Any]]:
    """Batches of the customers `customers` lists for these criteria, in its order, as rows of
    these `columns` (the customer's, its main address's and `store_ids`, see `Reads`)."""
    statement = (select(*columns)
                 .outerjoin(CustomerAddress, and_(CustomerAddress.customer_id == Customer.id,
                                                  CustomerAddress.position == 0))
                 .where(*conditions(criteria, default_country))
                 .order_by(*order_by(sort_keys(ordering))))
    # Rows rather than ORM objects, and read on the session's connection past the ORM's
    # handling of each row (a third of the time of a CSV export went there): the statement
    # is scoped as the session scopes its queries, its subquery and join included.
    connection = await session.connection()
    result = await connection.stream(scoped(session, statement))
    async for partition in result.partitions(batch_size):
        yield partition


# The main address (the first), from an outer join: a customer may have none.
MAIN_ADDRESS = ("line1", "line2", "city", "postal_code", "region", "country")
_CUSTOMER = {column.key: column for column in columns_of(Customer)}


class Reads:
    """The select list of an export, each field read once, and the expression (over the row
    `r`) that gives each by position.

    Nothing is converted per value where the database already gives what is shown (a million
    rows of a dozen enums and timestamps add up): enums are read as the names they are stored
    by; asyncpg reads timestamps with their zone, so on PostgreSQL they skip `UtcDateTime`, and
    PostgreSQL makes the timestamps shown as the writer takes them (`shown`), on a core Python
    does not have to share with the writing. The stores come from a subquery of the same
    statement: a query per batch to look them up took as long as reading the customers.
    """

    def __init__(self, dialect: str, file_format: str) -> None:
        self.columns: list[Any] = []
        self._positions: dict[str, int] = {}
        self._postgresql = dialect == "postgresql"
        self._format = file_format

    def field(self, name: str) -> str:
        """The value of a field: a column of the customer, `address_*` of its main address,
        or `store_ids`."""
        return self._read(name, lambda: self._column(name))

    def shown(self, name: str, kind: ColumnKind) -> tuple[str, bool]:
        """A field as a cell of this kind: its expression, and whether the database gives it as
        the writer takes it ready (`PREPARED` in models/exports/files.py)."""
        form = PREPARED[self._format].get(kind) if self._postgresql else None
        if form == "text":  # CSV_CELLS's, from to_char
            text = func.to_char(func.timezone("UTC", _CUSTOMER[name]), _PG_TIMESTAMP)
            return self._read(f"{name}_text", lambda: text), True
        if form == "serial":  # xlsx_rows.excel_time's: days from 1899-12-30, less one before
            # 1 March 1900 (Excel's 29 February 1900)
            days = cast(extract("epoch", _CUSTOMER[name]), Float) / 86400 + 25569
            serial = case((days > 61, days), else_=days - 1)
            return self._read(f"{name}_serial", lambda: serial), True
        return self.field(name), False

    def _read(self, key: str, expression: Callable[[], Any]) -> str:
        if key not in self._positions:
            self._positions[key] = len(self.columns)
            self.columns.append(expression().label(key))
        return f"r[{self._positions[key]}]"

    def _column(self, name: str) -> Any:
        if name == "store_ids":
            return (select(func.aggregate_strings(cast(CustomerStore.store_id, String()), ","))
                    .where(CustomerStore.customer_id == Customer.id).scalar_subquery())
        if name.startswith("address_"):
            return getattr(CustomerAddress, name.removeprefix("address_"))
        column = _CUSTOMER[name]
        if isinstance(column.type, SAEnum):
            return type_coerce(column, String())
        if isinstance(column.type, UtcDateTime) and self._postgresql:
            return type_coerce(column, DateTime(timezone=True))
        return column


# What CSV_CELLS[DATETIME] (models/exports/files.py) makes, in PostgreSQL's `to_char`: both cut
# the fraction of a second.
_PG_TIMESTAMP = "YYYY-MM-DD HH24:MI:SS"


def cell_sources(columns: Sequence[Column], reads: Reads, context: ExportContext,
                 ) -> tuple[list[str], set[int], dict[str, Any]]:
    """Each column's cell as an expression over the row `r` read by `reads`, the indexes of
    those the database gives ready (`prepared`), and the names the expressions use.

    Plain fields are read by position, money is scaled from minor units, and a computed column
    is its function called on the fields it needs."""
    namespace: dict[str, Any] = {"_D": Decimal}
    sources, prepared = [], set()
    for index, column in enumerate(columns):
        value = column.value
        if type(value) is Field:
            source, ready = reads.shown(value.name, column.kind)
            if ready:
                prepared.add(index)
        elif type(value) is MoneyField:
            source = f"_D({reads.field(value.name)}).scaleb({-exponent(context.currency)})"
        elif isinstance(value, Computed):
            namespace[f"_c{index}"] = value.make(context)
            source = f"_c{index}({', '.join(reads.field(name) for name in value.fields)})"
        else:
            raise TypeError(f"column {column.key}: unknown value {value!r}")
        sources.append(source)
    return sources, prepared, namespace


async def export_customers(
    session: AsyncSession, file: BinaryIO, *, criteria: CustomerCriteria,
    ordering: Sequence[CustomerOrder], columns: Sequence[Column], locale: str,
    file_format: str, default_country: str, currency: str,
    progress: Progress | None = None, batch_size: int = BATCH_SIZE,
    xlsx_max_rows: int = XLSX_MAX_ROWS,
) -> int:
    """Write the export to `file`; the number of customers written."""
    writer = open_writer(file_format, file, xlsx_max_rows=xlsx_max_rows)
    store_names = dict((await session.execute(select(Store.id, Store.name))).all())
    dialect = session.bind.dialect.name if session.bind is not None else ""
    reads = Reads(dialect, file_format)
    sources, prepared, namespace = cell_sources(
        columns, reads, ExportContext(store_names, currency, utcnow()))
    sheet = "Clientes" if locale.upper() == "ES" else "Customers"
    writer.start_table(sheet, [c.header(locale) for c in columns], [c.kind for c in columns])
    write = writer.batch_writer(sources, [c.kind for c in columns], namespace,
                                prepared=prepared)
    written = 0
    writing: asyncio.Future[None] | None = None

    async for batch in customer_batches(session, reads.columns, criteria, ordering,
                                        default_country, batch_size=batch_size):
        # Each batch is formatted and written off the event loop (which goes on serving
        # requests) while the next one is read.
        if writing is not None:
            await writing
            if progress is not None:
                await _maybe_await(progress(written))
        writing = asyncio.ensure_future(asyncio.to_thread(write, batch))
        written += len(batch)
    if writing is not None:
        await writing
    if progress is not None:
        await _maybe_await(progress(written))
    # Closing an XLSX compresses the whole sheet: seconds for a million rows.
    await asyncio.to_thread(writer.close)
    return written


async def _maybe_await(value: Any) -> None:
    if hasattr(value, "__await__"):
        await value
