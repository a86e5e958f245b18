"""`customerhub import ORG_SLUG FILE`: the same import as `importCustomers`, from a terminal,
acting as the system in the named organization, with a progress line on stderr and, on request,
every row's outcome as a CSV report."""

import argparse
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

from sqlalchemy.ext.asyncio import AsyncSession

from models.core.actors import Actor
from models.core.errors import Rejected
from models.core.tenancy import session_info
from models.imports.formats import ImportFormat
from models.imports.importer import ImportReport, RowResult, import_customers
from models.imports.report import ReportCsv
from models.organizations.table import organization_id_by_slug
from server.db import Database
from server.settings import Settings


def add_command(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    command = commands.add_parser(
        "import", help="add and update customers from a CSV or XLSX file (as importCustomers)")
    command.add_argument("organization_slug")
    command.add_argument("file", type=Path)
    command.add_argument("--dry-run", action="store_true", help="report; write nothing")
    command.add_argument("--source", choices=[f.value.lower() for f in ImportFormat],
                         help="the file's format (default: recognised by its headers)")
    command.add_argument("--report", type=Path, metavar="CSV",
                         help="write every row's outcome and problems to this CSV file")


class Progress:
    """`12,500 rows: 12,000 created, 300 updated, 150 unchanged, 50 failed` on one line."""

    def __init__(self, out: IO[str], every: float = 0.5) -> None:
        self.out, self.every, self.last = out, every, 0.0
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}

    def __call__(self, result: RowResult) -> None:
        self.counts[result.outcome.value.lower()] += 1
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.show("\r")

    def show(self, end: str) -> None:
        total = sum(self.counts.values())
        parts = ", ".join(f"{n:,} {name}" for name, n in self.counts.items())
        self.out.write(f"\r{total:,} rows: {parts}{end}")
        self.out.flush()


async def run_import(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.connect(settings.database_url)
    report_file = args.report.open("w", newline="", encoding="utf-8-sig") if args.report else None
    writer = ReportCsv(report_file) if report_file else None
    progress = Progress(sys.stderr)

    def on_row(result: RowResult) -> None:
        progress(result)
        if writer is not None:
            writer(result)

    try:
        async with db.admin_session() as session:
            organization_id = await organization_id_by_slug(session, args.organization_slug)
        if organization_id is None:
            print(f"no organization with slug `{args.organization_slug}`", file=sys.stderr)
            return 2

        @asynccontextmanager
        async def sessions() -> AsyncIterator[AsyncSession]:
            async with db.sessions(info=session_info(organization_id)) as session:
                yield session

        with args.file.open("rb") as file:
            report = await import_customers(
                sessions, Actor.system(organization_id), file,
                chosen=ImportFormat(args.source.upper()) if args.source else None,
                dry_run=args.dry_run, on_row=on_row)
    except Rejected as rejected:
        for problem in rejected.errors:
            print(f"{'.'.join(problem.field[1:])}: {problem.code.value}: {problem.message}",
                  file=sys.stderr)
        return 1
    finally:
        if report_file:
            report_file.close()
        await db.dispose()
    progress.show("\n")
    print(summary(report))
    return 1 if report.failed else 0


def summary(report: ImportReport) -> str:
    dry = " (dry run: nothing written)" if report.dry_run else ""
    lines = [f"{report.format.value} {report.file_kind}{dry}: {report.rows} rows, "
             f"{report.created} created, {report.updated} updated, {report.unchanged} "
             f"unchanged, {report.failed} failed"]
    if report.unknown_columns:
        lines.append("unknown columns (not imported): " + ", ".join(report.unknown_columns))
    if report.ignored_columns:
        lines.append("ignored columns (never imported): " + ", ".join(report.ignored_columns))
    if report.unknown_stores:
        lines.append("unknown stores (those rows have no main store): "
                     + ", ".join(report.unknown_stores))
    lines.extend(f"row {failure.row}: {problem.column}: {problem.code.value}: {problem.message}"
                 for failure in report.failures[:20] for problem in failure.problems)
    if report.failed > 20:
        lines.append(f"... {report.failed - 20} more failed rows (see --report)")
    return "\n".join(lines)
