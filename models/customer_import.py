"""Importing customers from a file: match, then add or update through the profile rules.

Each row is matched to an existing customer by external ID, then email, then phone (within what
the actor reaches: a manager's stores), and updated with `update_customer`; otherwise it is
added with `add_customer` as source IMPORT. Either way it is held to the same checks as the API,
and leaves the same events, with the importing actor. Consent goes through `set_consent` with
source IMPORT, so that the history records it. A row the rules refuse changes nothing (they
refuse before writing) and is reported; the others are written.

Rows are read one at a time and written in batches, one transaction a batch: memory holds one
batch, and a failure half-way leaves the batches before it written. A dry run does the same
work and rolls every batch back.
"""

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from enum import Enum
from itertools import islice
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.actors import Actor
from models.consent import set_consent
from models.customer_profile import add_customer, organization_of, update_customer
from models.customers import Customer, CustomerAddress
from models.enums import ConsentSource, CustomerSource
from models.errors import ErrorCode, Rejected, error
from models.import_files import UnreadableFile, open_table
from models.import_formats import ColumnMap, ImportFormat, recognise
from models.import_rows import RowFields, RowProblem, read_row
from models.organizations import Organization
from models.validation import AddressFields, normal_email, normal_phone

BATCH_SIZE = 500
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
    numbered = enumerate(table.rows, start=HEADER_ROW + 1)
    while batch := list(islice(numbered, batch_size)):
        async with sessions() as session:
            org = await organization_of(session, actor)
            for number, cells in batch:
                if not any(c.strip() for c in cells if c):
                    continue  # a blank line: nothing to import, nothing to report
                result = await import_row(session, actor, org, number, cells, columns)
                report.count(result)
                if on_row is not None:
                    on_row(result)
            if dry_run:
                await session.rollback()
            else:
                await session.commit()
    return report


async def import_row(session: AsyncSession, actor: Actor, org: Organization, number: int,
                     cells: Sequence[str], columns: ColumnMap) -> RowResult:
    row = read_row(cells, columns)
    if row.problems:
        return RowResult(number, RowOutcome.FAILED, problems=row.problems)
    try:
        customer = await matching_customer(session, org, row.fields)
        if customer is None:
            customer = await add_customer(session, actor, row.fields, source=CustomerSource.IMPORT)
            outcome = RowOutcome.CREATED
        else:
            before = customer.updated_at
            await update_customer(session, actor, customer.id,
                                  await _with_main_address(session, customer, row.fields))
            outcome = RowOutcome.UPDATED if customer.updated_at != before \
                else RowOutcome.UNCHANGED
        if row.subscribed is not None:
            _, changed = await set_consent(session, actor, customer.id, row.subscribed,
                                           ConsentSource.IMPORT)
            if changed and outcome is RowOutcome.UNCHANGED:
                outcome = RowOutcome.UPDATED
    except Rejected as rejected:
        return RowResult(number, RowOutcome.FAILED, problems=_by_column(rejected, row))
    return RowResult(number, outcome, customer.id)


async def matching_customer(session: AsyncSession, org: Organization, fields: dict[str, Any]
                            ) -> Customer | None:
    """The customer a row names, by external ID, then email, then phone (in the session's
    scope: a manager's stores)."""
    keys: list[tuple[Any, str | None]] = [
        (Customer.external_id, (fields.get("external_id") or "").strip() or None),
        (Customer.email, normal_email(fields.get("email"), "email", [])),
        (Customer.phone_e164, normal_phone(fields.get("phone"), org.default_country, "phone",
                                           [])),
    ]
    for column, value in keys:
        if value is None:
            continue
        found = await session.scalar(select(Customer).where(
            column == value, Customer.erased_at.is_(None)).order_by(Customer.id).limit(1))
        if found is not None:
            return found
    return None


async def _with_main_address(session: AsyncSession, customer: Customer, fields: dict[str, Any]
                             ) -> dict[str, Any]:
    """The row's fields, its address in place of the customer's main address (the first), the
    others kept: a file holds one address a customer."""
    if "address" not in fields:
        return fields
    sent = dict(fields)
    address: AddressFields = sent.pop("address")
    existing = list(await session.scalars(select(CustomerAddress).where(
        CustomerAddress.customer_id == customer.id).order_by(CustomerAddress.position)))
    main_label = existing[0].label if existing else None
    kept = [AddressFields(line1=a.line1, line2=a.line2, city=a.city, postal_code=a.postal_code,
                          region=a.region, country=a.country, label=a.label)
            for a in existing[1:]]
    sent["addresses"] = [AddressFields(
        line1=address.line1, line2=address.line2, city=address.city,
        postal_code=address.postal_code, region=address.region,
        country=address.country or (existing[0].country if existing else None),
        label=main_label), *kept]
    return sent


def _by_column(rejected: Rejected, row: RowFields) -> list[RowProblem]:
    return [RowProblem(row.column_of(p.field), p.code, p.message) for p in rejected.errors]
