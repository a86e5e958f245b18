"""The rows of a customer export: the customers the list shows for a filter and sort, read in
batches from a server-side cursor, each batch with its store names from one query.

The CLI and the server's export jobs both call `export_customers`, which writes the file.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, BinaryIO

from sqlalchemy import Enum as SAEnum
from sqlalchemy import String, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import columns_of, utcnow
from models.customer_columns import Column, CustomerRow, Field, MoneyField
from models.customer_search import CustomerCriteria, CustomerOrder, conditions, sort_keys
from models.customers import Customer, CustomerStore
from models.export_files import XLSX_MAX_ROWS, open_writer
from models.keyset import order_by
from models.money import exponent
from models.stores import Store

BATCH_SIZE = 1000
Progress = Callable[[int], Any]


async def customer_batches(
    session: AsyncSession, criteria: CustomerCriteria, ordering: Sequence[CustomerOrder],
    default_country: str, currency: str, *, batch_size: int = BATCH_SIZE,
    stores_session: AsyncSession | None = None, now: datetime | None = None,
) -> AsyncIterator[list[CustomerRow]]:
    """Batches of the customers `customers` lists for these criteria, in its order.

    Store names come from `stores_session` (another connection) when given: on PostgreSQL the
    cursor holds its connection until the last row, and nothing else may run on it meanwhile.
    """
    names_session = stores_session or session
    now = now or utcnow()
    store_names = dict((await names_session.execute(select(Store.id, Store.name))).all())
    # Rows rather than ORM objects: several times faster to read, and nothing to expunge; the
    # session still scopes the statement (models/base.py `columns_of`).
    statement = (select(*_read_columns()).where(*conditions(criteria, default_country))
                 .order_by(*order_by(sort_keys(ordering)))
                 .execution_options(yield_per=batch_size))
    result = await session.stream(statement)
    async for partition in result.partitions():
        customers = list(partition)
        ids = [c.id for c in customers]
        links = await names_session.execute(
            select(CustomerStore.customer_id, CustomerStore.store_id)
            .where(CustomerStore.customer_id.in_(ids))
            .order_by(CustomerStore.customer_id, CustomerStore.first_order_at,
                      CustomerStore.store_id))
        stores: dict[int, list[str]] = {}
        for customer_id, store_id in links:
            stores.setdefault(customer_id, []).append(store_names.get(store_id, ""))
        yield [CustomerRow(
            customer=c,
            main_store=store_names.get(c.main_store_id) if c.main_store_id else None,
            stores=tuple(stores.get(c.id, ())), currency=currency, now=now)
            for c in customers]


# Columns no export shows: the search helpers (long text) and what the filter already fixes.
_UNREAD = frozenset({"search_text", "sort_name", "organization_id", "erased_at"})


def _read_columns() -> list[Any]:
    """The customer's columns by name, enums as the names they are stored by: nothing to
    convert per value (a million rows of several enums add up)."""
    return [type_coerce(column, String()).label(column.key)
            if isinstance(column.type, SAEnum) else column
            for column in columns_of(Customer) if column.key not in _UNREAD]


def row_cells(columns: Sequence[Column], currency: str) -> Callable[[CustomerRow], list[Any]]:
    """A function from a `CustomerRow` to its cells, in the columns' order.

    `Column.value` says what each cell holds; this does the same faster, for the rows of a whole
    export: plain fields are picked by position in one C call, and only the other columns (money,
    names, stores) run Python per cell.
    """
    position = {column.key: index for index, column in enumerate(_read_columns())}
    places = -exponent(currency)
    plain = [(index, position[c.value.name]) for index, c in enumerate(columns)
             if type(c.value) is Field]
    money = [(index, position[c.value.name]) for index, c in enumerate(columns)
             if type(c.value) is MoneyField]
    computed = [(index, c.value) for index, c in enumerate(columns)
                if not isinstance(c.value, Field)]
    width = len(columns)
    pick = itemgetter(*(source for _, source in plain)) if plain else None
    targets = [index for index, _ in plain]

    def cells(row: CustomerRow) -> list[Any]:
        values = row.customer
        out: list[Any] = [None] * width
        if pick is not None:
            picked = pick(values)
            if len(targets) == 1:
                picked = (picked,)
            for target, value in zip(targets, picked, strict=True):
                out[target] = value
        for target, source in money:
            out[target] = Decimal(values[source]).scaleb(places)
        for target, compute in computed:
            out[target] = compute(row)
        return out

    return cells


async def export_customers(
    session: AsyncSession, file: BinaryIO, *, criteria: CustomerCriteria,
    ordering: Sequence[CustomerOrder], columns: Sequence[Column], locale: str,
    file_format: str, default_country: str, currency: str,
    stores_session: AsyncSession | None = None, progress: Progress | None = None,
    batch_size: int = BATCH_SIZE, xlsx_max_rows: int = XLSX_MAX_ROWS,
) -> int:
    """Write the export to `file`; the number of customers written."""
    writer = open_writer(file_format, file, xlsx_max_rows=xlsx_max_rows)
    cells = row_cells(columns, currency)
    sheet = "Clientes" if locale.upper() == "ES" else "Customers"
    writer.start_table(sheet, [c.header(locale) for c in columns], [c.kind for c in columns])
    written = 0
    async for batch in customer_batches(session, criteria, ordering, default_country, currency,
                                        batch_size=batch_size, stores_session=stores_session):
        # Formatting and writing run off the event loop, which goes on serving requests.
        await asyncio.to_thread(writer.write_rows, [cells(row) for row in batch])
        written += len(batch)
        if progress is not None:
            await _maybe_await(progress(written))
    writer.close()
    return written


async def _maybe_await(value: Any) -> None:
    if hasattr(value, "__await__"):
        await value
