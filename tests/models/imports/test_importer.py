"""Importing customers from files, at the models level: real files in tmp_path, the real
database, the same rules as the API."""

import csv
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.api_keys import ALL_SCOPES
from models.core.actors import Actor
from models.core.enums import ActorKind, ConsentSource, CustomerSource
from models.core.events import DomainEvent
from models.core.tenancy import session_info
from models.customers.consent import ConsentEvent
from models.customers.table import Customer, CustomerAddress
from models.imports.formats import ImportFormat
from models.imports.importer import ImportReport, RowOutcome, import_customers
from server.db import Database

from factories import OrgFixture, create_organization
from snapshots import organization_state

GENERIC_EN = ["First name", "Last name", "Email", "Phone", "Address", "City", "Zip",
              "Birthday", "Marketing", "External ID"]


def write_csv(path: Path, rows: Sequence[Sequence[Any]], delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def importer(org: OrgFixture) -> Actor:
    return Actor(organization_id=org.id, kind=ActorKind.API_KEY, id="importer",
                 scopes=frozenset(ALL_SCOPES))


async def run_import(org: OrgFixture, path: Path, **options: Any) -> ImportReport:
    @asynccontextmanager
    async def sessions() -> AsyncIterator[AsyncSession]:
        async with org.db.sessions(info=session_info(org.id)) as session:
            yield session

    with path.open("rb") as file:
        return await import_customers(sessions, importer(org), file, **options)


async def customers_of(org: OrgFixture) -> dict[str, Customer]:
    async with org.db.admin_session() as session:
        rows = await session.scalars(select(Customer).where(Customer.organization_id == org.id))
        return {c.email or f"#{c.id}": c for c in rows}


def ana(n: int = 1, **overrides: str) -> list[str]:
    row = {"First name": "Ana", "Last name": f"García{n}", "Email": f"ana{n}@example.es",
           "Phone": f"61200{n:04d}", "Address": "Gran Vía 1", "City": "Madrid",
           "Zip": "28013", "Birthday": "1990-05-17", "Marketing": "yes",
           "External ID": f"EXT-{n}"}
    row.update(overrides)
    return [row[h] for h in GENERIC_EN]


async def test_a_generic_english_file_creates_customers_as_import_with_events(
        org: OrgFixture, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "customers.csv", [GENERIC_EN, ana(1), ana(2)])
    report = await run_import(org, path)
    assert (report.format, report.rows, report.created, report.failed) == (
        ImportFormat.GENERIC, 2, 2, 0)
    customers = await customers_of(org)
    first = customers["ana1@example.es"]
    assert (first.first_name, first.last_name, first.phone_e164, first.source,
            first.external_id, first.birthday.isoformat() if first.birthday else None) == (
        "Ana", "García1", "+34612000001", CustomerSource.IMPORT, "EXT-1", "1990-05-17")
    async with org.db.admin_session() as session:
        kinds = list(await session.scalars(select(DomainEvent.kind).where(
            DomainEvent.customer_id == first.id).order_by(DomainEvent.id)))
        actors = set(await session.scalars(select(DomainEvent.actor_id).where(
            DomainEvent.customer_id == first.id)))
        city = await session.scalar(select(CustomerAddress.city).where(
            CustomerAddress.customer_id == first.id))
    assert kinds == ["customer.created", "customer.consent_changed"]
    assert actors == {"importer"}
    assert city == "Madrid"


async def test_spanish_headers_semicolons_and_windows_1252(org: OrgFixture,
                                                            tmp_path: Path) -> None:
    rows = [["Nombre", "Apellido(s)", "Correo electrónico", "Móvil", "Dirección", "Ciudad",
             "Código postal", "País", "Fecha de nacimiento", "Notas", "Gasto medio", "Fuente"],
            ["Íñigo", "Núñez", "inigo@example.es", "612 34 56 78", "Calle Mayor 3", "Sevilla",
             "41001", "España", "17/05/1985", "Sin gluten", "12,50", "web"]]
    path = write_csv(tmp_path / "clientes.csv", rows, delimiter=";", encoding="cp1252")
    report = await run_import(org, path)
    assert (report.format, report.created, report.failed) == (ImportFormat.GENERIC, 1, 0), \
        report.failures
    assert report.ignored_columns == ["Gasto medio", "Fuente"]
    customer = (await customers_of(org))["inigo@example.es"]
    assert (customer.first_name, customer.last_name, customer.notes, customer.phone_e164) == (
        "Íñigo", "Núñez", "Sin gluten", "+34612345678")
    assert customer.birthday is not None
    assert customer.birthday.isoformat() == "1985-05-17"


async def test_shopify_exports_both_header_variants(org: OrgFixture, tmp_path: Path) -> None:
    older = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
             "Company", "Address1", "Address2", "City", "Province", "Province Code", "Country",
             "Country Code", "Zip", "Phone", "Accepts SMS Marketing", "Total Spent",
             "Total Orders", "Tags", "Note", "Tax Exempt"]
    newer = ["First Name", "Last Name", "Email", "Accepts Email Marketing",
             "Default Address Company", "Default Address Address1",
             "Default Address Address2", "Default Address City",
             "Default Address Province Code", "Default Address Country Code",
             "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
             "Tags", "Note", "Tax Exempt"]
    old_file = write_csv(tmp_path / "old.csv", [older, [
        "7001", "Lucía", "Pérez", "lucia@example.pt", "no", "Lu Lda", "Rua Augusta 10", "",
        "Lisboa", "Lisboa", "11", "Portugal", "PT", "1100-048", "'+351912345678", "no",
        "340.50", "12", "vip", "Likes window seats", "TRUE"]])
    new_file = write_csv(tmp_path / "new.csv", [newer, [
        "Marc", "Vidal", "marc@example.es", "yes", "", "Carrer Gran 5", "", "Barcelona", "B",
        "ES", "08001", "", "'+34 622 000 111", "yes", "", "", "no"]])
    old_report = await run_import(org, old_file)
    new_report = await run_import(org, new_file)
    assert (old_report.format, old_report.created) == (ImportFormat.SHOPIFY, 1), \
        old_report.failures
    assert (new_report.format, new_report.created) == (ImportFormat.SHOPIFY, 1), \
        new_report.failures
    customers = await customers_of(org)
    lucia, marc = customers["lucia@example.pt"], customers["marc@example.es"]
    assert (lucia.external_id, lucia.phone_e164, lucia.company_name, lucia.tax_exempt,
            lucia.subscribed, lucia.notes) == (
        "7001", "+351912345678", "Lu Lda", True, False, "Likes window seats")
    assert (lucia.order_count, lucia.total_spent) == (0, 0)  # never from a file
    assert (marc.phone_e164, marc.subscribed, marc.tax_exempt) == ("+34622000111", True, False)
    assert "Total Spent" in old_report.ignored_columns


async def test_square_directory_export(org: OrgFixture, tmp_path: Path) -> None:
    headers = ["First Name", "Last Name", "Email Address", "Phone Number", "Nickname",
               "Company Name", "Street Address 1", "Street Address 2", "City", "State",
               "Postal Code", "Birthday", "Memo", "Square Customer ID", "Creation Source",
               "First Visit", "Last Visit", "Transaction Count", "Total Spend",
               "Email Subscription Status", "Reference ID", "Groups"]
    path = write_csv(tmp_path / "square.csv", [headers, [
        "Eva", "Soler", "eva@example.es", "+34 633 111 222", "Evi", "", "Calle Sol 2", "",
        "Málaga", "MA", "29001", "05-17-1992", "", "SQ123", "Directory", "2024-01-02",
        "2025-03-04", "9", "120.00", "subscribed", "", "Regulars"]])
    report = await run_import(org, path)
    assert (report.format, report.created) == (ImportFormat.SQUARE, 1), report.failures
    eva = (await customers_of(org))["eva@example.es"]
    assert (eva.external_id, eva.subscribed, eva.order_count) == ("SQ123", True, 0)
    assert eva.birthday is not None
    assert eva.birthday.isoformat() == "1992-05-17"


async def test_a_bad_row_is_reported_by_row_and_column_and_the_good_rows_land(
        org: OrgFixture, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "mixed.csv", [
        GENERIC_EN, ana(1), ana(2, Email="not-an-email"), ana(3, Birthday="31/02/1990"),
        ana(4)])
    report = await run_import(org, path)
    assert (report.created, report.failed) == (2, 2)
    by_row = {f.row: [(p.column, p.code.value) for p in f.problems] for f in report.failures}
    assert by_row == {3: [("Email", "INVALID")], 4: [("Birthday", "INVALID")]}
    assert set(await customers_of(org)) == {"ana1@example.es", "ana4@example.es"}


async def test_a_row_with_bytes_that_are_not_text_is_refused_alone(
        org: OrgFixture, tmp_path: Path) -> None:
    """The encoding is judged on the first 64 KB: a bad byte after that fails its row only."""
    path = tmp_path / "late-bad-byte.csv"
    lines = [",".join(GENERIC_EN)] + [",".join(ana(n)) for n in range(1, 801)]
    good = "\n".join(lines).encode()
    assert len(good) > 70_000
    bad = ",".join(ana(801, **{"Last name": "Gar\x00cía"})).encode().replace(b"\x00", b"\xff")
    path.write_bytes(good + b"\n" + bad + b"\n" + ",".join(ana(802)).encode() + b"\n")
    report = await run_import(org, path)
    assert (report.created, report.failed) == (801, 1)
    [failure] = report.failures
    assert failure.row == 802
    assert [(p.column, p.code.value) for p in failure.problems] == [("Last name", "INVALID")]
    assert "ana801@example.es" not in await customers_of(org)


async def test_a_bad_row_changes_nothing(org: OrgFixture, db: Database, tmp_path: Path) -> None:
    await org.customer(email="ana1@example.es", external_id="EXT-1", first_name="Ana")
    before = await organization_state(db, org.id)
    # Matches the customer by external ID; its new phone is invalid, so its name must not
    # change either.
    path = write_csv(tmp_path / "bad.csv", [GENERIC_EN, ana(1, Phone="12", **{
        "First name": "Anabel"})])
    report = await run_import(org, path)
    assert report.failed == 1
    assert [(p.column, p.code.value) for p in report.failures[0].problems] == [
        ("Phone", "INVALID")]
    assert await organization_state(db, org.id) == before


async def test_a_dry_run_reports_and_changes_nothing(org: OrgFixture, db: Database,
                                                     tmp_path: Path) -> None:
    await org.customer(email="ana1@example.es")
    before = await organization_state(db, org.id)
    path = write_csv(tmp_path / "dry.csv", [GENERIC_EN, ana(1), ana(2), ana(3, Email="x@")])
    report = await run_import(org, path, dry_run=True)
    assert (report.dry_run, report.created, report.updated, report.failed) == (True, 1, 1, 1)
    assert await organization_state(db, org.id) == before


async def test_matching_by_external_id_then_email_then_phone(org: OrgFixture,
                                                             tmp_path: Path) -> None:
    by_external = await org.customer(external_id="EXT-1", email="old1@example.es")
    by_email = await org.customer(email="ana2@example.es")
    by_phone = await org.customer(email=None, phone_e164="+34612000003")
    path = write_csv(tmp_path / "match.csv", [GENERIC_EN, ana(1), ana(2, **{"External ID": ""}),
                                              ana(3, Email="", **{"External ID": ""})])
    report = await run_import(org, path)
    assert (report.created, report.updated, report.failed) == (0, 3, 0), report.failures
    customers = {c.id: c for c in (await customers_of(org)).values()}
    assert len(customers) == 3
    assert customers[by_external].email == "ana1@example.es"
    assert customers[by_email].phone_e164 == "+34612000002"
    assert customers[by_phone].last_name == "García3"


async def test_the_same_file_twice_creates_nothing_new(org: OrgFixture, db: Database,
                                                       tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", [GENERIC_EN, ana(1), ana(2), ana(3)])
    first = await run_import(org, path)
    assert first.created == 3
    between = await organization_state(db, org.id)
    again = await run_import(org, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert await organization_state(db, org.id) == between


async def test_aggregate_columns_are_ignored(org: OrgFixture, tmp_path: Path) -> None:
    headers = [*GENERIC_EN, "Orders", "Total spent", "Points", "Earned points", "Last order"]
    path = write_csv(tmp_path / "aggregates.csv",
                     [headers, [*ana(1), "12", "340.50", "900", "1200", "2025-01-01"]])
    report = await run_import(org, path)
    assert report.created == 1
    assert report.ignored_columns == ["Orders", "Total spent", "Points", "Earned points",
                                      "Last order"]
    customer = (await customers_of(org))["ana1@example.es"]
    assert (customer.order_count, customer.total_spent, customer.points_balance,
            customer.points_earned, customer.last_order_at) == (0, 0, 0, 0, None)


async def test_unknown_columns_are_listed(org: OrgFixture, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "unknown.csv", [[*GENERIC_EN, "Favourite dish"],
                                                [*ana(1), "Paella"]])
    report = await run_import(org, path)
    assert report.unknown_columns == ["Favourite dish"]


async def test_consent_from_a_file_is_in_the_history_as_import(org: OrgFixture,
                                                               tmp_path: Path) -> None:
    existing = await org.customer(email="ana1@example.es")
    path = write_csv(tmp_path / "consent.csv", [GENERIC_EN, ana(1, Marketing="TRUE")])
    await run_import(org, path)
    opted_out = write_csv(tmp_path / "out.csv", [GENERIC_EN, ana(1, Marketing="no")])
    report = await run_import(org, opted_out)
    assert report.updated == 1
    async with org.db.admin_session() as session:
        history = [(e.subscribed, e.source, e.actor_kind, e.actor_id) for e in await
                   session.scalars(select(ConsentEvent).where(
                       ConsentEvent.customer_id == existing).order_by(ConsentEvent.id))]
    assert history == [(True, ConsentSource.IMPORT, ActorKind.API_KEY, "importer"),
                       (False, ConsentSource.IMPORT, ActorKind.API_KEY, "importer")]


async def test_another_organization_is_untouched(org: OrgFixture, db: Database,
                                                 tmp_path: Path) -> None:
    other = await create_organization(db)
    await other.customer(email="ana1@example.es", external_id="EXT-1")
    before = await organization_state(db, other.id)
    path = write_csv(tmp_path / "ours.csv", [GENERIC_EN, ana(1), ana(2)])
    report = await run_import(org, path)
    assert report.created == 2  # the same email in another organization is not ours
    assert await organization_state(db, other.id) == before


async def test_rows_are_written_in_batches(org: OrgFixture, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "batches.csv", [GENERIC_EN, *(ana(n) for n in range(1, 8))])
    seen: list[RowOutcome] = []
    report = await run_import(org, path, batch_size=3, on_row=lambda r: seen.append(r.outcome))
    assert report.created == 7
    assert seen == [RowOutcome.CREATED] * 7
    async with org.db.admin_session() as session:
        count = await session.scalar(select(func.count()).select_from(Customer).where(
            Customer.organization_id == org.id))
    assert count == 7


async def test_an_xlsx_file_with_numbers_and_dates_in_cells(org: OrgFixture,
                                                            tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Nombre", "Apellidos", "Email", "Teléfono", "Dirección", "Ciudad",
                  "Cumpleaños", "Puntos", "Comunicaciones comerciales"])
    sheet.append(["Rosa", "Martín", "rosa@example.es", 612345678, "Calle Luna 4", "Toledo",
                  date(1979, 3, 8), 450, True])
    sheet.append(["Sin", "Correo", "", 699, "Calle Sol 1", "Toledo", None, None, None])
    path = tmp_path / "clientes.xlsx"
    workbook.save(path)
    report = await run_import(org, path)
    assert (report.file_kind, report.created, report.failed) == ("XLSX", 1, 1)
    assert report.failures[0].row == 3
    assert {p.column for p in report.failures[0].problems} == {"Email", "Teléfono"}
    rosa = (await customers_of(org))["rosa@example.es"]
    assert (rosa.phone_e164, rosa.subscribed, rosa.points_balance) == ("+34612345678", True, 0)
    assert rosa.birthday == date(1979, 3, 8)
