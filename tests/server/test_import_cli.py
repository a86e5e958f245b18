"""`customerhub import` as a user runs it: a real database file, a real customer file."""

import csv
from pathlib import Path

from sqlalchemy import select
from test_cli import cli_env, run_cli

from models.core.enums import CustomerSource
from models.customers.table import Customer
from server.db import Database

ROWS = [["First Name", "Last Name", "Email", "Accepts Email Marketing", "Address1", "City",
         "Country Code", "Zip", "Phone", "Total Spent", "Tax Exempt"],
        ["Ana", "García", "ana@example.es", "yes", "Gran Vía 1", "Madrid", "ES", "28013",
         "'+34612000001", "120.00", "no"],
        # Neither email nor phone: a file row needs one of them.
        ["Sin", "Contacto", "", "no", "Calle 2", "Madrid", "ES", "28013", "",
         "", "no"]]


async def test_import_command_dry_run_then_import_with_a_report(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("migrate", env=env).returncode == 0
    seeded = run_cli("seed-demo", "--customers", "5", "--orders", "5", env=env)
    assert seeded.returncode == 0, seeded.stderr
    path = tmp_path / "shopify.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(ROWS)

    dry = run_cli("import", "demo", str(path), "--dry-run", env=env)
    assert dry.returncode == 1, dry.stderr  # one row failed
    assert "SHOPIFY CSV (dry run: nothing written): 2 rows, 1 created" in dry.stdout
    assert "2 rows: 1 created" in dry.stderr  # the progress line
    db = Database.connect(env["CUSTOMERHUB_DATABASE_URL"])
    try:
        async with db.admin_session() as session:
            assert await session.scalar(select(Customer).where(
                Customer.email == "ana@example.es")) is None

        report = tmp_path / "report.csv"
        done = run_cli("import", "demo", str(path), "--source", "shopify", "--report",
                       str(report), env=env)
        assert done.returncode == 1
        assert "row 3: Phone: REQUIRED" in done.stdout
        assert "ignored columns (never imported): Total Spent" in done.stdout
        with report.open(encoding="utf-8-sig") as f:
            lines = list(csv.DictReader(f))
        assert [(r["row"], r["outcome"], r["column"], r["code"]) for r in lines] == [
            ("2", "CREATED", "", ""), ("3", "FAILED", "Email", "REQUIRED"),
            ("3", "FAILED", "Phone", "REQUIRED")]
        async with db.admin_session() as session:
            ana = await session.scalar(select(Customer).where(
                Customer.email == "ana@example.es"))
        assert ana is not None
        assert (ana.source, ana.subscribed, ana.phone_e164) == (
            CustomerSource.IMPORT, True, "+34612000001")
    finally:
        await db.dispose()

    missing = run_cli("import", "nowhere", str(path), env=env)
    assert missing.returncode == 2
    assert "no organization" in missing.stderr
