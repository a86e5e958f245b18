"""Importing customers from a file: rows matched, checked and written a batch at a time.

Each row is matched to an existing customer by external ID, then email, then phone (within what
the actor reaches: a manager's stores), and updated; otherwise it is added as source IMPORT, a
registered customer (a guest when our own export says GUEST). Either way it is held to the
profile's checks (models/customers/profile.py), which the batch shares with `addCustomer`, and
leaves the same events, with the importing actor; consent goes into the history with source
IMPORT. A file row needs less than the admin form: an email or a phone (`required_by_file`).
A row with any problem changes nothing and is reported; the others are written.
models/imports/batch.py does a batch's work with a handful of set-based statements.

Rows are read one at a time and written in batches, one transaction a batch: memory holds one
batch, and a failure half-way leaves the batches before it written. A dry run does the same
work and rolls every batch back.
"""

import asyncio
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from enum import Enum
from itertools import islice
from typing import IO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.actors import Actor
from models.core.errors import ErrorCode, Rejected, error
from models.customers.profile import organization_of
from models.imports.batch import Batch, Done
from models.imports.files import UnreadableFile, open_table, undecodable
from models.imports.formats import ColumnMap, ImportFormat, header_key, recognise
from models.imports.rows import RowProblem, read_row
from models.organizations.stores import Store
from models.organizations.table import Organization

BATCH_SIZE = 1000
YIELD_EVERY = 50  # rows read between two turns of the event loop
MAX_FAILURES = 1000  # failed rows kept in the report; the counts cover them all
HEADER_ROW = 1  # rows are numbered as a spreadsheet shows them: the header is row 1

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class RowOutcome(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    FAILED = "FAILED"


@dataclass
class RowResult:
    row: int
    outcome: RowOutcome
    customer_id: int | None = None
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    format: ImportFormat
    file_kind: str
    dry_run: bool
    unknown_columns: list[str]
    ignored_columns: list[str]
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[RowResult] = field(default_factory=list)  # the first MAX_FAILURES
    # Store names the file gives that no store of the organization has (those rows were
    # imported without a main store), the first MAX_FAILURES.
    unknown_stores: list[str] = field(default_factory=list)

    def store_of(self, name: str | None, stores: Mapping[str, int]) -> int | None:
        """The store a row names, by name or code; an unknown one is listed, not a failure."""
        if name is None:
            return None
        store = stores.get(header_key(name))
        if store is None and name not in self.unknown_stores \
                and len(self.unknown_stores) < MAX_FAILURES:
            self.unknown_stores.append(name)
        return store

    def count(self, result: RowResult) -> None:
        self.rows += 1
        name = result.outcome.value.lower()
        setattr(self, name, getattr(self, name) + 1)
        if result.outcome is RowOutcome.FAILED and len(self.failures) < MAX_FAILURES:
            self.failures.append(result)


async def import_customers(sessions: SessionFactory, actor: Actor, file: IO[bytes], *,
                           chosen: ImportFormat | None = None, dry_run: bool = False,
                           batch_size: int = BATCH_SIZE,
                           on_row: Callable[[RowResult], None] | None = None) -> ImportReport:
    """Import a CSV or XLSX file of customers; `Rejected` when the file cannot be read at all
    (nothing is written then)."""
    try:
        table = open_table(file)
    except UnreadableFile as bad:
        raise Rejected([error("file", ErrorCode.INVALID, str(bad))]) from None
    except UnicodeDecodeError:
        raise Rejected([error("file", ErrorCode.INVALID, "The file is not text.")]) from None
    columns = recognise(table.headers, chosen)
    if not columns.mapped():
        raise Rejected([error("file", ErrorCode.INVALID,
                              "No column of the file is one the import knows; the header row "
                              f"was: {', '.join(columns.headers)}.")])
    report = ImportReport(columns.format, table.kind, dry_run, columns.unknown,
                          columns.ignored)
    async with sessions() as session:
        org = await organization_of(session, actor)
        stores = await store_keys(session)
    numbered = enumerate(table.rows, start=HEADER_ROW + 1)
    # While one batch is matched and written, the next is read and checked (no database
    # needed): the database works on the one while Python works on the other.
    running: asyncio.Task[list[RowResult]] | None = None
    try:
        while True:
            rows = list(islice(numbered, batch_size))
            batch = await _read_batch(rows, columns, report, stores, actor, org) if rows \
                else None
            if running is not None:
                for result in await running:
                    report.count(result)
                    if on_row is not None:
                        on_row(result)
                running = None
            if batch is None:
                return report
            running = asyncio.ensure_future(_write_batch(sessions, *batch, dry_run))
    except BaseException as failure:
        # The batch being written was read whole: it is written (and committed) before the
        # failure goes on, unless the import itself is being cancelled.
        if running is not None and not running.done():
            if isinstance(failure, asyncio.CancelledError):
                running.cancel()
            await asyncio.gather(running, return_exceptions=True)
        raise


async def _read_batch(rows: list[tuple[int, list[str]]], columns: ColumnMap,
                      report: ImportReport, stores: Mapping[str, int], actor: Actor,
                      org: Organization) -> tuple[Batch, list[RowResult | None]]:
    """The rows read and checked as far as Python can, yielding to the event loop now and
    then so that the batch being written goes on; and where each unreadable row goes."""
    batch = Batch(actor, org)
    results: list[RowResult | None] = []
    for n, (number, cells) in enumerate(rows):
        if n % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        if not any(c.strip() for c in cells if c):
            continue  # a blank line: nothing to import, nothing to report
        if (bad := undecodable(cells)) is not None:
            results.append(RowResult(number, RowOutcome.FAILED, problems=[RowProblem(
                columns.headers[bad] if bad < len(columns.headers) else "", ErrorCode.INVALID,
                "This cell holds bytes that are not text in the file's encoding (save the "
                "file as UTF-8).")]))
            continue
        row = read_row(cells, columns)
        if row.problems:
            results.append(RowResult(number, RowOutcome.FAILED, problems=row.problems))
            continue
        batch.add(number, row, report.store_of(row.store, stores))
        results.append(None)
    return batch, results


async def _write_batch(sessions: SessionFactory, batch: Batch,
                       results: list[RowResult | None], dry_run: bool) -> list[RowResult]:
    """One transaction: the batch's rows matched, checked and written (rolled back when
    dry), and every row's outcome in file order."""
    async with sessions() as session:
        done = iter(await batch.run(session))
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    return [result or _result(next(done)) for result in results]


async def store_keys(session: AsyncSession) -> dict[str, int]:
    """The organization's stores by name and by code, as a file may name them (case, accents
    and punctuation aside); a name wins over another store's code."""
    keys: dict[str, int] = {}
    rows = list(await session.execute(select(Store.id, Store.name, Store.code)
                                      .order_by(Store.id)))
    for store_id, _, code in rows:
        if code:
            keys[header_key(code)] = store_id
    for store_id, name, _ in rows:
        keys[header_key(name)] = store_id
    return keys


def _result(done: Done) -> RowResult:
    if done.problems:
        return RowResult(done.number, RowOutcome.FAILED, problems=done.problems)
    outcome = RowOutcome.CREATED if done.created else (
        RowOutcome.UPDATED if done.changed else RowOutcome.UNCHANGED)
    return RowResult(done.number, outcome, done.customer.id if done.customer else None)
