"""The rows of a customer export: the customers the list shows for a filter and sort, read in
batches from a server-side cursor, each batch with its store names from one query.

The CLI and the server's export jobs both call `export_customers`, which writes the file.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO

from sqlalchemy import DateTime, String, and_, cast, func, select, type_coerce
from sqlalchemy import Enum as SAEnum
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import UtcDateTime, columns_of, utcnow
from models.customer_columns import Column, ColumnKind, CustomerRow, Field, MoneyField
from models.customer_search import CustomerCriteria, CustomerOrder, conditions, sort_keys
from models.customers import Customer, CustomerAddress, CustomerStore
from models.export_files import XLSX_MAX_ROWS, RowsFunction, open_writer
from models.export_files import rows_function as export_rows_function
from models.keyset import order_by
from models.money import exponent
from models.stores import Store

BATCH_SIZE = 1000
Progress = Callable[[int], Any]


async def customer_batches(
    session: AsyncSession, criteria: CustomerCriteria, ordering: Sequence[CustomerOrder],
    default_country: str, *, batch_size: int = BATCH_SIZE,
) -> AsyncIterator[Sequence[Any]]:
    """Batches of the customers `customers` lists for these criteria, in its order, as rows of
    `read_columns` (the stores they ordered at and the main address included)."""
    dialect = session.bind.dialect.name if session.bind is not None else ""
    # Rows rather than ORM objects: several times faster to read, and nothing to expunge; the
    # session still scopes the statement, its subquery included (models/tenancy.py).
    statement = (select(*read_columns(dialect))
                 .outerjoin(CustomerAddress, and_(CustomerAddress.customer_id == Customer.id,
                                                  CustomerAddress.position == 0))
                 .where(*conditions(criteria, default_country))
                 .order_by(*order_by(sort_keys(ordering)))
                 .execution_options(yield_per=batch_size))
    result = await session.stream(statement)
    async for partition in result.partitions():
        yield partition


# Columns no export shows: the search helpers (long text) and what the filter already fixes.
_UNREAD = frozenset({"search_text", "sort_name", "organization_id", "erased_at"})
# The main address (the first), from an outer join: a customer may have none.
MAIN_ADDRESS = ("line1", "line2", "city", "postal_code", "region", "country")


def read_columns(dialect: str = "") -> list[Any]:
    """What the export reads of each customer, by name: its columns, enums as the names they
    are stored by, and the ids of the stores it ordered at (`"1,3"`).

    Nothing is converted per value where the database already gives what is shown (a million
    rows of a dozen enums and timestamps add up): asyncpg reads timestamps with their zone, so
    on PostgreSQL they skip `UtcDateTime`. The stores come from a subquery of the same statement:
    a query per batch to look them up took as long as reading the customers.
    """
    columns = []
    for column in columns_of(Customer):
        if column.key in _UNREAD:
            continue
        if isinstance(column.type, SAEnum):
            column = type_coerce(column, String()).label(column.key)
        elif isinstance(column.type, UtcDateTime) and dialect == "postgresql":
            column = type_coerce(column, DateTime(timezone=True)).label(column.key)
        columns.append(column)
    stores = (select(func.aggregate_strings(cast(CustomerStore.store_id, String()), ","))
              .where(CustomerStore.customer_id == Customer.id).scalar_subquery())
    address = [getattr(CustomerAddress, name).label(f"address_{name}") for name in MAIN_ADDRESS]
    return [*columns, *address, stores.label("store_ids")]


def rows_function(columns: Sequence[Column], templates: dict[ColumnKind, str],
                  store_names: dict[int, str], currency: str, now: datetime) -> RowsFunction:
    """A function from a batch of customer rows to their cells, as a writer takes them.

    `Column.value` says what each cell holds; this computes the same, faster: plain fields are
    read by position, money is scaled from minor units, and only the other columns (names,
    stores, monthly spend) get a `CustomerRow`, made once per row.
    """
    position = {column.key: index for index, column in enumerate(read_columns())}

    def customer_row(row: Any) -> CustomerRow:
        main = row.main_store_id
        stores = tuple(store_names.get(int(s), "") for s in sorted(
            row.store_ids.split(","), key=int)) if row.store_ids else ()
        return CustomerRow(customer=row, main_store=store_names.get(main) if main else None,
                           stores=stores, currency=currency, now=now)

    namespace: dict[str, Any] = {"_D": Decimal, "_row": customer_row}
    sources = []
    made_row = False
    for index, column in enumerate(columns):
        value = column.value
        if type(value) is Field:
            sources.append(f"r[{position[value.name]}]")
        elif type(value) is MoneyField:
            sources.append(f"_D(r[{position[value.name]}]).scaleb({-exponent(currency)})")
        else:
            namespace[f"_c{index}"] = value
            sources.append(f"_c{index}(c)" if made_row else f"_c{index}(c := _row(r))")
            made_row = True
    return export_rows_function(sources, [c.kind for c in columns], templates, namespace)


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
    cells = rows_function(columns, writer.cell_templates, store_names, currency, utcnow())
    sheet = "Clientes" if locale.upper() == "ES" else "Customers"
    writer.start_table(sheet, [c.header(locale) for c in columns], [c.kind for c in columns])
    written = 0
    writing: asyncio.Future[None] | None = None

    def write(batch: Sequence[Any]) -> None:
        writer.write_cells(cells(batch))

    async for batch in customer_batches(session, criteria, ordering, default_country,
                                        batch_size=batch_size):
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
    writer.close()
    return written


async def _maybe_await(value: Any) -> None:
    if hasattr(value, "__await__"):
        await value
