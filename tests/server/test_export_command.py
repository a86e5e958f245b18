"""`customerhub export --customer ID`: one customer's history, as `exportCustomerHistory` writes
it, to a file; refused for an unknown or erased customer and beside the list's options."""

import argparse
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from server import export_command
from server.settings import Settings

from factories import OrgFixture


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    export_command.add_command(parser.add_subparsers(dest="command"))
    return parser.parse_args(["export", *argv])


async def test_the_history_of_one_customer_as_csv(database_url: str, org: OrgFixture,
                                                  tmp_path: Path) -> None:
    customer = await org.customer()
    other = await org.customer()
    await org.order(customer, store_id=org.store_ids[2], total=2000, items=2, points=20)
    await org.order(other, total=999, items=1)
    out = tmp_path / "history.csv"
    said = await export_command.run_export(
        Settings(database_url=database_url),
        parse(org.slug, "--customer", str(customer), "--output", str(out)))
    # Two items and one ledger entry.
    assert said == f"history of customer {customer}: 3 rows written to {out}"
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"), newline="")))
    assert [r[0] for r in rows if len(r) == 1] == ["Orders", "Consent", "Loyalty"]
    assert [r[7] for r in rows[2:4]] == ["Item 0", "Item 1"]  # the other's order is not here
    assert {r[2] for r in rows[2:4]} == {"Valencia"}
    assert rows[-1][1:3] == ["EARN", "20"]


async def test_the_history_as_xlsx_in_spanish(database_url: str, org: OrgFixture,
                                              tmp_path: Path) -> None:
    customer = await org.customer()
    placed = datetime(2026, 10, 2, 9, 30, tzinfo=UTC)
    await org.order(customer, total=1250, items=1, placed_at=placed)
    out = tmp_path / "history.xlsx"
    await export_command.run_export(Settings(database_url=database_url), parse(
        org.slug, "--customer", str(customer), "--format", "xlsx", "--locale", "es",
        "--output", str(out)))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Pedidos", "Consentimiento", "Fidelización"]
    header, order = book["Pedidos"].iter_rows(values_only=True)
    assert header[:2] == ("Número de pedido", "Fecha del pedido")
    assert order[1] == placed.replace(tzinfo=None)
    assert order[6] == 12.5


async def test_an_unknown_or_erased_customer_or_list_options_are_refused(
        database_url: str, org: OrgFixture, tmp_path: Path) -> None:
    erased = await org.customer(erased_at=datetime(2026, 1, 1, tzinfo=UTC))
    settings, out = Settings(database_url=database_url), tmp_path / "h.csv"
    for customer in (erased, 999_999_999):
        with pytest.raises(export_command.CommandFailed, match=f"no customer {customer}"):
            await export_command.run_export(settings, parse(
                org.slug, "--customer", str(customer), "--output", str(out)))
    with pytest.raises(export_command.CommandFailed, match="takes no"):
        await export_command.run_export(settings, parse(
            org.slug, "--customer", "1", "--columns", "EMAIL", "--output", str(out)))
    assert not out.exists()
