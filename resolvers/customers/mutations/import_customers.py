"""`importCustomers`: a CSV or XLSX file of customers, uploaded as a GraphQL multipart request."""

import asyncio
import tempfile
from pathlib import Path

import strawberry
from strawberry.file_uploads import Upload

from models.core.errors import ErrorCode, Rejected
from models.imports import importer
from models.imports.formats import ImportFormat
from models.imports.report import ReportCsv
from resolvers.context import Info
from resolvers.user_errors import UserError


@strawberry.input
class ImportCustomersInput:
    file: Upload = strawberry.field(description="A CSV (UTF-8 or Windows-1252; `,` `;` or tab) "
                                                "or XLSX file; the first row is the header.")
    source: ImportFormat | None = strawberry.field(
        default=None, description="The file's format; recognised by its headers when null.")
    dry_run: bool = strawberry.field(default=False,
                                     description="Report what would happen; write nothing.")


@strawberry.type(description="A problem with one row of the file; the row changed nothing.")
class ImportFailure:
    row: int = strawberry.field(description="As a spreadsheet numbers it: the header is row 1.")
    column: str
    code: ErrorCode
    message: str


@strawberry.type
class ImportReport:
    format: ImportFormat
    file_kind: str = strawberry.field(description="`CSV` or `XLSX`.")
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    failed: int
    unknown_columns: list[str] = strawberry.field(
        description="Headers the format does not know: their cells were not imported.")
    ignored_columns: list[str] = strawberry.field(
        description="Known columns that an import never writes (order aggregates, points).")
    unknown_stores: list[str] = strawberry.field(
        description="Store names (or codes) the file gives that no store has: those rows "
                    "were imported without a main store.")
    failures: list[ImportFailure] = strawberry.field(
        description="Each problem of each failed row, for the first 1,000 failed rows.")

    @classmethod
    def from_report(cls, report: importer.ImportReport) -> "ImportReport":
        return cls(format=report.format, file_kind=report.file_kind, dry_run=report.dry_run,
                   rows=report.rows, created=report.created, updated=report.updated,
                   unchanged=report.unchanged, failed=report.failed,
                   unknown_columns=report.unknown_columns,
                   ignored_columns=report.ignored_columns,
                   unknown_stores=report.unknown_stores,
                   failures=[ImportFailure(row=f.row, column=p.column, code=p.code,
                                           message=p.message)
                             for f in report.failures for p in f.problems])


@strawberry.type
class ImportCustomersPayload:
    report: ImportReport | None
    report_url: str | None = strawberry.field(description=(
        "Every row's outcome as CSV (row, outcome, customer ID, column, code, message), "
        "downloadable without an Authorization header until it expires, like an export. "
        "Null for a dry run, which writes nothing (its `report` says what would happen)."))
    user_errors: list[UserError]


async def import_customers(info: Info, input: ImportCustomersInput) -> ImportCustomersPayload:
    # Starlette spools the upload to disk past 1 MB; the rule reads it row by row from there,
    # and every row's outcome goes to the report file as it is known.
    upload = input.file
    exports = info.context.exports
    with tempfile.NamedTemporaryFile(
            "w", dir=exports.scratch_folder(), suffix=".csv", delete=False,
            encoding="utf-8-sig", newline="") as out:
        local = Path(out.name)
        report_csv = ReportCsv(out)
        try:
            report = await importer.import_customers(
                info.context.write_session, info.context.actor,
                upload.file,  # type: ignore[attr-defined]
                chosen=input.source, dry_run=input.dry_run, on_row=report_csv)
        except BaseException as failed:
            out.close()
            await asyncio.to_thread(local.unlink, missing_ok=True)
            if not isinstance(failed, Rejected):
                raise
            return ImportCustomersPayload(
                report=None, report_url=None,
                user_errors=[UserError.of(p) for p in failed.errors])
    if input.dry_run:  # writes nothing, not even its report
        await asyncio.to_thread(local.unlink, missing_ok=True)
        url = None
    else:
        url = await exports.keep_report(info.context.actor, local, report_csv.rows)
    return ImportCustomersPayload(report=ImportReport.from_report(report), report_url=url,
                                  user_errors=[])
