"""Our own export, imported into an empty organization, gives the same customers: every column
of the real export (CSV and XLSX, English and Spanish headers), compared field by field."""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_importer import run_import

from models.core.enums import ConsentSource, CustomerSource, CustomerType, RiskLevel, ShopperLevel
from models.core.tenancy import session_info
from models.customers.columns import COLUMNS
from models.customers.search import CustomerCriteria
from models.customers.table import Customer, CustomerAddress
from models.exports.rows import export_customers
from models.imports.formats import ImportFormat
from models.organizations.stores import Store

from factories import OrgFixture, create_organization

CONSENTED = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)

# (customer fields, main address or None, main store's position or None)
CUSTOMERS: list[tuple[dict[str, Any], dict[str, Any] | None, int | None]] = [
    ({"first_name": "Íñigo", "last_name": "Núñez Peña", "email": "inigo@example.es",
      "phone_e164": "+34612345678", "birthday": date(1985, 5, 17), "external_id": "EXT-1",
      "shopper_level": ShopperLevel.VIP, "risk_level": RiskLevel.LOW,
      "notes": "-sin gluten\n=mesa junto a la ventana", "company_name": "Ñandú, S.L.",
      "tax_exempt": True, "age_restricted_allowed": True, "subscribed": True,
      "consent_updated_at": CONSENTED},
     {"line1": "Calle Mayor 3", "line2": "2º izquierda", "city": "Sevilla",
      "postal_code": "41001", "region": "Andalucía", "country": "ES"}, 1),
    ({"type": CustomerType.GUEST, "first_name": None, "last_name": None,
      "email": "guest@example.com"}, None, None),
    ({"type": CustomerType.GUEST, "first_name": "Zoë", "last_name": "Müller",
      "email": None, "phone_e164": "+351912345678", "subscribed": False,
      "consent_updated_at": CONSENTED}, None, 2),
    ({"first_name": "Lucía", "last_name": "Pérez", "email": "lucia@example.pt",
      "phone_e164": None, "risk_level": RiskLevel.HIGH, "shopper_level": ShopperLevel.NEW,
      "subscribed": True, "consent_updated_at": CONSENTED},
     {"line1": "Rua Augusta 10", "line2": None, "city": "Lisboa", "postal_code": "1100-048",
      "region": None, "country": "PT"}, 0),
    ({"first_name": "Marc", "last_name": "Vidal", "email": "marc@example.es",
      "phone_e164": "+34622000111", "company_name": "@Vidal", "external_id": "0042"},
     {"line1": "Carrer Gran 5", "line2": None, "city": "Barcelona", "postal_code": "08001",
      "region": "B", "country": "ES"}, None),
]
COMPARED = ("type", "first_name", "last_name", "email", "phone_e164", "birthday",
            "external_id", "shopper_level", "risk_level", "notes", "company_name",
            "tax_exempt", "age_restricted_allowed", "subscribed")
ADDRESS = ("line1", "line2", "city", "postal_code", "region", "country")


async def varied_organization(org: OrgFixture) -> None:
    for fields, address, store in CUSTOMERS:
        customer_id = await org.customer(
            main_store_id=org.store_ids[store] if store is not None else None, **fields)
        if address is not None:
            async with org.db.admin_session() as session:
                session.add(CustomerAddress(organization_id=org.id, customer_id=customer_id,
                                            position=0, label="Casa", **address))
                await session.commit()
        await org.order(customer_id, store_id=org.store_ids[0], total=2550, points=30)


async def snapshot(org: OrgFixture) -> dict[str, dict[str, Any]]:
    """Every imported field of every customer, by email or phone, with the main store's name
    and the main address."""
    async with org.db.admin_session() as session:
        stores = dict((await session.execute(select(Store.id, Store.name).where(
            Store.organization_id == org.id))).all())
        customers = list(await session.scalars(select(Customer).where(
            Customer.organization_id == org.id)))
        addresses = {a.customer_id: a for a in await session.scalars(
            select(CustomerAddress).where(CustomerAddress.organization_id == org.id,
                                          CustomerAddress.position == 0))}
    result = {}
    for c in customers:
        address = addresses.get(c.id)
        result[c.email or c.phone_e164 or ""] = {
            **{name: getattr(c, name) for name in COMPARED},
            "main_store": stores.get(c.main_store_id) if c.main_store_id else None,
            "address": tuple(getattr(address, n) for n in ADDRESS) if address else None,
        }
    return result


@pytest.mark.parametrize(("file_format", "locale"),
                         [("CSV", "EN"), ("CSV", "ES"), ("XLSX", "EN"), ("XLSX", "ES")])
async def test_our_export_imported_into_an_empty_organization_gives_the_same_customers(
        org: OrgFixture, tmp_path: Path, file_format: str, locale: str) -> None:
    await varied_organization(org)
    path = tmp_path / f"customers.{file_format.lower()}"
    async with org.db.sessions(info=session_info(org.id)) as session:
        with path.open("wb") as file:
            written = await export_customers(
                session, file, criteria=CustomerCriteria(), ordering=[], columns=list(COLUMNS),
                locale=locale, file_format=file_format, default_country="ES",
                currency="EUR")
    assert written == len(CUSTOMERS)

    empty = await create_organization(org.db)  # stores of the same names
    report = await run_import(empty, path)
    assert (report.format, report.file_kind, report.created, report.failed) == (
        ImportFormat.CUSTOMERHUB, file_format, len(CUSTOMERS), 0), report.failures
    assert report.unknown_columns == []
    assert report.unknown_stores == []

    exported, imported = await snapshot(org), await snapshot(empty)
    assert imported == exported
    async with empty.db.admin_session() as session:
        rows = list(await session.scalars(select(Customer).where(
            Customer.organization_id == empty.id)))
    assert {c.source for c in rows} == {CustomerSource.IMPORT}
    assert {(c.order_count, c.total_spent, c.points_balance, c.last_order_at) for c in rows} \
        == {(0, 0, 0, None)}
    assert {c.consent_source for c in rows} == {ConsentSource.IMPORT}
    assert {c.type for c in rows} == {CustomerType.GUEST, CustomerType.REGISTERED}

    again = await run_import(empty, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(CUSTOMERS))


async def test_an_export_of_chosen_columns_with_the_full_name_only(
        org: OrgFixture, tmp_path: Path) -> None:
    await varied_organization(org)
    chosen = [c for c in COLUMNS if c.key in ("TYPE", "FULL_NAME", "EMAIL", "PHONE")]
    path = tmp_path / "chosen.csv"
    async with org.db.sessions(info=session_info(org.id)) as session:
        with path.open("wb") as file:
            await export_customers(
                session, file, criteria=CustomerCriteria(), ordering=[], columns=chosen,
                locale="ES", file_format="CSV", default_country="ES", currency="EUR")
    empty = await create_organization(org.db)
    report = await run_import(empty, path)
    assert (report.format, report.created, report.failed) == (
        ImportFormat.CUSTOMERHUB, len(CUSTOMERS), 0), report.failures
    names = {k: (v["first_name"], v["last_name"]) for k, v in (await snapshot(empty)).items()}
    assert names["inigo@example.es"] == ("Íñigo", "Núñez Peña")
    assert names["+351912345678"] == ("Zoë", "Müller")
    assert names["guest@example.com"] == (None, None)
