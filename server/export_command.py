"""`customerhub export`: the same rows and writers as the server's export jobs, to a file."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from server.settings import Settings


def add_command(commands: Any) -> None:
    export = commands.add_parser(
        "export", help="write an organization's customers, or one customer's history, to a CSV "
                       "or XLSX file")
    export.add_argument("organization", metavar="ORG_SLUG")
    export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    export.add_argument("--filter-json", default="{}",
                        help='the list\'s filter: {"sources": ["POS"], "order_count": '
                             '{"low": 1}, "search": "ana"} (see README)')
    export.add_argument("--sort", default="",
                        help="FIELD[:desc],... e.g. TOTAL_SPENT:desc,EMAIL (default: newest)")
    export.add_argument("--columns", default="", help="KEY,KEY,... (default: every column)")
    export.add_argument("--locale", choices=["en", "es"], default="en")
    export.add_argument("--customer", type=int, metavar="ID",
                        help="instead of the customers, this customer's history: orders with "
                             "items, consent history and loyalty ledger (as "
                             "exportCustomerHistory)")
    export.add_argument("--output", type=Path, required=True)


class CommandFailed(Exception):
    pass


async def run_export(settings: Settings, args: argparse.Namespace) -> str:
    from models.core.tenancy import session_info
    from models.customers.columns import columns_for
    from models.customers.search import CustomerOrder, CustomerSortField, count_customers
    from models.exports.jobs import criteria_from_json
    from models.exports.rows import export_customers
    from models.organizations.table import organization_by_slug
    from server.db import Database

    if args.customer is not None and (args.filter_json != "{}" or args.sort or args.columns):
        raise CommandFailed("--customer writes one customer's history: it takes no "
                            "--filter-json, --sort or --columns")
    try:
        criteria = criteria_from_json(json.loads(args.filter_json))
        columns = columns_for([c.strip().upper() for c in args.columns.split(",") if c.strip()])
        ordering = [CustomerOrder(CustomerSortField(field.upper()), direction.lower() == "desc")
                    for field, _, direction in (part.strip().partition(":")
                                                for part in args.sort.split(",") if part.strip())]
    except (ValueError, KeyError, TypeError) as bad:
        raise CommandFailed(f"bad --filter-json, --sort or --columns: {bad}") from None
    db = Database.connect(settings.database_url)
    try:
        async with db.admin_session() as session:
            org = await organization_by_slug(session, args.organization)
        if org is None:
            raise CommandFailed(f"no organization with slug `{args.organization}`")
        info = session_info(org.id)
        if args.customer is not None:
            return await _export_history(db, info, org, args)
        async with db.sessions(info=info) as rows, db.sessions(info=info) as other:
            total = await count_customers(other, criteria, org.default_country)

            def progress(written: int) -> None:
                print(f"\rexported {written}/{total} customers", end="", file=sys.stderr,
                      flush=True)

            with args.output.open("wb") as file:
                written = await export_customers(
                    rows, file, criteria=criteria, ordering=ordering, columns=columns,
                    locale=args.locale.upper(), file_format=args.format.upper(),
                    default_country=org.default_country, currency=org.currency,
                    progress=progress)
        print(file=sys.stderr)
    finally:
        await db.dispose()
    return f"{written} customers written to {args.output}"


async def _export_history(db: Any, info: dict[str, Any], org: Any,
                          args: argparse.Namespace) -> str:
    from models.core.errors import Rejected
    from models.exports.history import check_customer, export_history

    async with db.sessions(info=info) as session:
        try:
            await check_customer(session, args.customer)
        except Rejected:
            raise CommandFailed(
                f"no customer {args.customer} in `{args.organization}`") from None
        with args.output.open("wb") as file:
            written = await export_history(
                session, file, customer_id=args.customer, locale=args.locale.upper(),
                file_format=args.format.upper(), currency=org.currency)
    return f"history of customer {args.customer}: {written} rows written to {args.output}"
