"""The import's batch path against the rules it shares with `addCustomer`: what a file row
needs, rows of one file naming the same customer, duplicates outside a manager's stores, the
store column, and the events and consent history it leaves, compared with the single path."""

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from test_importer import GENERIC_EN, ana, customers_of, importer, run_import, write_csv

from models.core.actors import Actor
from models.core.enums import ActorKind, ConsentSource, CustomerSource, CustomerType, StaffRole
from models.core.events import DomainEvent
from models.core.tenancy import session_info
from models.customers.consent import ConsentEvent, set_consent
from models.customers.profile import add_customer, update_customer
from models.customers.table import Customer, CustomerAddress
from models.imports.formats import recognise
from models.imports.importer import ImportReport, RowOutcome, import_customers
from models.imports.rows import read_row

from factories import OrgFixture, create_organization
from snapshots import organization_state


async def import_as(org: OrgFixture, actor: Actor, path: Path, **options: Any) -> ImportReport:
    @asynccontextmanager
    async def sessions() -> AsyncIterator[AsyncSession]:
        async with org.db.sessions(
                info=session_info(org.id, store_scope=actor.store_scope)) as session:
            yield session

    with path.open("rb") as file:
        return await import_customers(sessions, actor, file, **options)


def manager(org: OrgFixture, *stores: int) -> Actor:
    return Actor(organization_id=org.id, kind=ActorKind.STAFF_USER, id="manager-1",
                 role=StaffRole.MANAGER, store_ids=frozenset(stores))


def problems(report: ImportReport) -> dict[int, list[tuple[str, str]]]:
    return {f.row: [(p.column, p.code.value) for p in f.problems] for f in report.failures}


async def history(org: OrgFixture, customer_id: int) -> tuple[list[Any], list[Any]]:
    """A customer's domain events and consent history, without ids and times."""
    async with org.db.admin_session() as session:
        events = [(e.kind, e.payload, e.actor_kind, e.actor_id) for e in await session.scalars(
            select(DomainEvent).where(DomainEvent.customer_id == customer_id)
            .order_by(DomainEvent.id))]
        consent = [(c.subscribed, c.source, c.actor_kind, c.actor_id)
                   for c in await session.scalars(
                       select(ConsentEvent).where(ConsentEvent.customer_id == customer_id)
                       .order_by(ConsentEvent.id))]
    return events, consent


async def test_a_row_needs_an_email_or_a_phone_and_nothing_else(org: OrgFixture,
                                                                tmp_path: Path) -> None:
    path = write_csv(tmp_path / "required.csv", [
        GENERIC_EN,
        ["", "", "", "612000001", "", "", "", "", "", ""],          # a phone alone: enough
        ["Eva", "", "eva@example.es", "", "", "", "", "", "", ""],  # an email alone too
        ["Sin", "Contacto", "", "", "Calle 1", "Madrid", "", "", "", "EXT-9"],
        ["Sin", "Ciudad", "sin@example.es", "", "Calle 1", "", "", "", "", ""],
        ["Mal", "Teléfono", "", "12", "", "", "", "", "", ""],
    ])
    report = await run_import(org, path)
    assert (report.created, report.failed) == (2, 3), report.failures
    assert problems(report) == {
        4: [("Email", "REQUIRED"), ("Phone", "REQUIRED")],
        5: [("City", "REQUIRED")],
        6: [("Phone", "INVALID"), ("Email", "REQUIRED")],
    }
    customers = await customers_of(org)
    eva = customers["eva@example.es"]
    by_phone = next(c for c in customers.values() if c.phone_e164 == "+34612000001")
    assert (eva.type, eva.first_name, eva.last_name) == (CustomerType.REGISTERED, "Eva", None)
    assert (by_phone.type, by_phone.first_name, by_phone.source) == (
        CustomerType.REGISTERED, None, CustomerSource.IMPORT)
    async with org.db.admin_session() as session:
        addresses = await session.scalar(select(CustomerAddress.id).where(
            CustomerAddress.customer_id.in_([eva.id, by_phone.id])))
    assert addresses is None


async def test_a_country_alone_is_no_address(org: OrgFixture, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "country.csv", [
        ["Email", "Address", "City", "Country"], ["a@example.es", "", "", "ES"],
        ["b@example.es", "", "Toledo", "ES"]])
    report = await run_import(org, path)
    assert (report.created, report.failed) == (1, 1)
    assert problems(report) == {3: [("Address", "REQUIRED")]}


async def test_two_rows_of_one_file_with_the_same_email(org: OrgFixture, tmp_path: Path
                                                        ) -> None:
    """The second row updates what the first created, in one batch and across batches."""
    for batch_size in (1000, 1):
        other = await create_organization(org.db)
        path = write_csv(tmp_path / f"twice-{batch_size}.csv", [
            GENERIC_EN, ana(1, Marketing="no"),
            ana(1, **{"Last name": "Gómez", "Marketing": "yes", "Phone": "612000099"})])
        report = await run_import(other, path, batch_size=batch_size)
        assert (report.created, report.updated, report.failed) == (1, 1, 0), report.failures
        customers = await customers_of(other)
        assert list(customers) == ["ana1@example.es"]
        customer = customers["ana1@example.es"]
        assert (customer.last_name, customer.phone_e164, customer.subscribed) == (
            "Gómez", "+34612000099", True)
        events, consent = await history(other, customer.id)
        assert [e[0] for e in events] == ["customer.created", "customer.consent_changed",
                                          "customer.updated", "customer.consent_changed"]
        assert events[2][1]["changed"] == {
            "last_name": {"from": "García1", "to": "Gómez"},
            "phone_e164": {"from": "+34612000001", "to": "+34612000099"}}
        assert [c[0] for c in consent] == [False, True]


async def test_a_value_an_earlier_row_took_is_a_duplicate(org: OrgFixture,
                                                          tmp_path: Path) -> None:
    # The third row names the second customer (external ID) and gives the first one's phone.
    path = write_csv(tmp_path / "taken.csv", [
        GENERIC_EN, ana(1), ana(2), ana(2, Phone="612000001")])
    report = await run_import(org, path)
    assert (report.created, report.failed) == (2, 1)
    assert problems(report) == {4: [("Phone", "DUPLICATE")]}
    assert "García1" in report.failures[0].problems[0].message


async def test_a_duplicate_outside_a_managers_stores_is_refused_unnamed(
        org: OrgFixture, tmp_path: Path) -> None:
    madrid, barcelona = org.store_ids[0], org.store_ids[1]
    await org.customer(email="ana1@example.es", first_name="Secreta",
                       main_store_id=barcelona)
    before = await organization_state(org.db, org.id)
    path = write_csv(tmp_path / "manager.csv", [GENERIC_EN, ana(1, **{"External ID": ""})])
    report = await import_as(org, manager(org, madrid), path)
    # The customer is not matched (not theirs), and the email is not free either.
    assert (report.created, report.updated, report.failed) == (0, 0, 1)
    assert problems(report) == {2: [("Email", "DUPLICATE")]}
    message = report.failures[0].problems[0].message
    assert "not one of your stores' customers" in message
    assert "Secreta" not in message
    assert await organization_state(org.db, org.id) == before


async def test_a_managers_import_keeps_their_store_rules(org: OrgFixture,
                                                         tmp_path: Path) -> None:
    madrid, barcelona = org.store_ids[0], org.store_ids[1]
    headers = [*GENERIC_EN, "Tienda"]
    path = write_csv(tmp_path / "stores.csv", [
        headers, [*ana(1), ""], [*ana(2), "Barcelona"], [*ana(3), "Madrid"]])
    report = await import_as(org, manager(org, madrid), path)
    assert (report.created, report.failed) == (2, 1), report.failures
    assert problems(report) == {3: [("Tienda", "OUT_OF_SCOPE")]}
    customers = await customers_of(org)
    # A manager of one store adds to that store, named or not.
    assert {customers["ana1@example.es"].main_store_id,
            customers["ana3@example.es"].main_store_id} == {madrid}

    two_stores = manager(org, madrid, barcelona)
    again = write_csv(tmp_path / "unnamed.csv", [headers, [*ana(4), ""]])
    report = await import_as(org, two_stores, again)
    assert problems(report) == {2: [("Tienda", "REQUIRED")]}


async def test_the_store_column_by_name_or_code_and_unknown_names_listed(
        org: OrgFixture, tmp_path: Path) -> None:
    headers = [*GENERIC_EN, "Store"]
    path = write_csv(tmp_path / "stores.csv", [
        headers, [*ana(1), "barcelona"], [*ana(2), "VLC"], [*ana(3), "Sevilla"],
        [*ana(4), "Sevilla"], [*ana(5), "Bilbao"]])
    report = await run_import(org, path)
    assert (report.created, report.failed) == (5, 0), report.failures
    assert report.unknown_stores == ["Sevilla", "Bilbao"]
    customers = await customers_of(org)
    assert [customers[f"ana{n}@example.es"].main_store_id for n in range(1, 6)] == [
        org.store_ids[1], org.store_ids[2], None, None, None]


async def test_the_same_file_twice_creates_nothing_new_across_batches(
        org: OrgFixture, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", [GENERIC_EN, *(ana(n) for n in range(1, 8))])
    first = await run_import(org, path, batch_size=3)
    assert first.created == 7
    between = await organization_state(org.db, org.id)
    again = await run_import(org, path, batch_size=3)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert await organization_state(org.db, org.id) == between


async def test_events_and_consent_history_equal_the_single_paths(
        org: OrgFixture, tmp_path: Path) -> None:
    """The same rows through the batch and through add_customer/update_customer/set_consent
    (each with the fields the import reads) leave the same events and history."""
    created = [GENERIC_EN, ana(1), ana(2, Marketing="no", Birthday=""),
               ana(3, Birthday="", Marketing="")]
    changed = [GENERIC_EN, ana(1, **{"Last name": "Gómez", "City": "Toledo"}),
               ana(2, Marketing="yes"), ana(3)]
    single = await create_organization(org.db)
    for n, rows in enumerate((created, changed)):
        await run_import(org, write_csv(tmp_path / f"bulk{n}.csv", rows))
        columns = recognise(rows[0])
        actor = importer(single)
        for cells in rows[1:]:
            row = read_row(cells, columns)
            async with single.db.sessions(info=session_info(single.id)) as session:
                found = await session.scalar(select(Customer.id).where(
                    Customer.email == row.fields["email"]))
                if found is None:
                    customer = await add_customer(session, actor, row.fields,
                                                  source=CustomerSource.IMPORT)
                else:
                    customer = await update_customer(session, actor, found, row.fields)
                if row.subscribed is not None:
                    await set_consent(session, actor, customer.id, row.subscribed,
                                      ConsentSource.IMPORT)
                await session.commit()
    bulk, one_by_one = await customers_of(org), await customers_of(single)
    assert set(bulk) == set(one_by_one) == {f"ana{n}@example.es" for n in (1, 2, 3)}
    for email in bulk:
        assert await history(org, bulk[email].id) == await history(
            single, one_by_one[email].id), email
    kinds = [e[0] for e in (await history(org, bulk["ana1@example.es"].id))[0]]
    assert kinds == ["customer.created", "customer.consent_changed", "customer.updated"]


async def test_a_dry_run_reports_outcomes_and_writes_nothing(org: OrgFixture,
                                                             tmp_path: Path) -> None:
    await org.customer(email="ana2@example.es")
    before = await organization_state(org.db, org.id)
    path = write_csv(tmp_path / "dry.csv", [
        GENERIC_EN, ana(1), ana(1, **{"Last name": "Otra"}), ana(2), ana(3, Phone="1")])
    outcomes: list[RowOutcome] = []
    report = await run_import(org, path, dry_run=True,
                              on_row=lambda r: outcomes.append(r.outcome))
    assert outcomes == [RowOutcome.CREATED, RowOutcome.UPDATED, RowOutcome.UPDATED,
                        RowOutcome.FAILED]
    assert report.dry_run
    assert await organization_state(org.db, org.id) == before


class BrokenUpload(io.RawIOBase):
    """A file whose reading fails past `fail_at` bytes, as an upload cut off or a bad disk."""

    def __init__(self, data: bytes, fail_at: int) -> None:
        self.data, self.fail_at, self.position = data, fail_at, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = offset if whence == io.SEEK_SET else self.position + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.fail_at:
            raise OSError("the connection was reset")
        chunk = self.data[self.position:self.position + len(buffer)]
        buffer[:len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)


async def test_a_failure_half_way_leaves_the_batches_before_it_written(
        org: OrgFixture) -> None:
    """Reading fails in the third batch: the batches read before it stay written, including
    the one being written meanwhile."""
    note = "x" * 1000  # about 1 KB a row: 100 KB a batch of 100
    lines = [b"Email,Notes\n"] + [f"c{n}@example.es,{note}\n".encode() for n in range(300)]
    data = b"".join(lines)
    file = io.BufferedReader(BrokenUpload(data, fail_at=len(b"".join(lines[:252]))))

    @asynccontextmanager
    async def sessions() -> AsyncIterator[AsyncSession]:
        async with org.db.sessions(info=session_info(org.id)) as session:
            yield session

    with pytest.raises(OSError, match="reset"):
        await import_customers(sessions, importer(org), file, batch_size=100)
    async with org.db.admin_session() as session:
        count = await session.scalar(select(func.count()).select_from(Customer).where(
            Customer.organization_id == org.id))
    assert count == 200
