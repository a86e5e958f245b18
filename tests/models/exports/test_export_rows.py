"""Every column of a customer export, cell by cell, as CSV and XLSX: the same text on SQLite and
PostgreSQL, which read and format some of them differently (models/exports/rows.py)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl

from models.core.enums import CustomerSource
from models.core.tenancy import session_info
from models.customers.columns import columns_for
from models.customers.search import CustomerCriteria
from models.exports.rows import export_customers
from server.db import Database

from factories import OrgFixture

REGISTERED = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


async def one_customer(org: OrgFixture) -> int:
    madrid, barcelona, valencia = org.store_ids
    customer = await org.customer(
        first_name="Ana", last_name=None, email="ana@example.com", phone_e164="+34600111222",
        source=CustomerSource.POS, main_store_id=valencia, registered_at=REGISTERED,
        created_at=REGISTERED - timedelta(seconds=1), birthday=date(1990, 2, 3),
        notes="=cmd()", company_name="Ñandú & <Co>", tax_exempt=True, addresses=1)
    placed = datetime.now(UTC) - timedelta(days=1)  # one month or less: monthly = total
    await org.order(customer, store_id=barcelona, total=1250, placed_at=placed)
    await org.order(customer, store_id=madrid, total=1, placed_at=placed + timedelta(hours=1))
    return customer


async def export(db: Database, org: OrgFixture, file_format: str) -> bytes:
    file = io.BytesIO()
    async with db.sessions(info=session_info(org.id)) as session:
        written = await export_customers(
            session, file, criteria=CustomerCriteria(), ordering=[], columns=columns_for(None),
            locale="EN", file_format=file_format, default_country="ES", currency="EUR")
    assert written == 1
    return file.getvalue()


async def test_every_column_as_csv(db: Database, org: OrgFixture) -> None:
    customer = await one_customer(org)
    text = (await export(db, org, "CSV")).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    cells = dict(zip(header, row, strict=True))
    assert cells == cells | {
        "Customer ID": str(customer), "Customer type": "REGISTERED", "First name": "Ana",
        "Last name": "", "Full name": "Ana", "Email": "ana@example.com",
        "Phone": "'+34600111222", "Address line 1": "Calle 1", "Address line 2": "",
        "City": "Madrid", "Country": "ES", "Source": "POS", "Main store": "Valencia",
        "Stores": "Madrid, Barcelona", "Registration": "2026-03-04 05:06:07",
        "Created": "2026-03-04 05:06:06", "Last access": "", "Marketing communications": "FALSE",
        "Consent updated": "", "Birthday": "1990-02-03", "Notes": "'=cmd()",
        "Company": "Ñandú & <Co>", "Tax exempt": "TRUE", "Orders": "2", "Total spent": "12.51",
        "Average spend": "6.26", "Monthly spend": "12.51", "Last order status": "COMPLETED",
        "Points": "0"}
    assert cells["First order"][:10] == (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert len(cells["Last order"]) == 19


async def test_every_column_as_xlsx(db: Database, org: OrgFixture, tmp_path: Any) -> None:
    customer = await one_customer(org)
    (tmp_path / "c.xlsx").write_bytes(await export(db, org, "XLSX"))
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx")["Customers"]
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    values = {name: cell.value for name, cell in cells.items()}
    assert values == values | {
        "Customer ID": customer, "Customer type": "REGISTERED", "First name": "Ana",
        "Last name": None, "Full name": "Ana", "Phone": "+34600111222", "Main store": "Valencia",
        "Stores": "Madrid, Barcelona", "Birthday": datetime(1990, 2, 3), "Notes": "=cmd()",
        "Company": "Ñandú & <Co>", "Tax exempt": True, "Marketing communications": False,
        "Orders": 2, "Total spent": 12.51, "Average spend": 6.26, "Monthly spend": 12.51,
        "Last access": None}
    assert abs(values["Registration"] - REGISTERED.replace(tzinfo=None)) < timedelta(
        milliseconds=1)
    assert cells["Registration"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert cells["Birthday"].number_format == "yyyy-mm-dd"
    assert cells["Total spent"].number_format == "#,##0.00"
    assert cells["Notes"].data_type == "s"
