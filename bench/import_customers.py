"""Import of a generated customer file, timed: `customerhub import`'s rule.

    .venv/bin/python -m bench.import_customers --rows 100000 --database postgresql
    .venv/bin/python -m bench.import_customers --rows 100000 --database sqlite

Writes a CSV of `--rows` Spanish-header rows (names, email, phone, address, birthday, consent,
store) to a temporary folder and runs `models.imports.importer.import_customers` over it twice
in a fresh organization of its own (three stores): the first run creates every customer, the
second finds them all unchanged. PostgreSQL is the benchmark cluster (`bench/pg.py`, started and
stopped here; migrated to head first; whatever else it holds stays); SQLite a fresh database
file in the temporary folder. Prints rows per second and the process's peak RSS after each run.
"""

import argparse
import asyncio
import csv
import resource
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from models.core.actors import Actor
from models.core.tenancy import session_info
from models.imports.importer import import_customers
from models.organizations.stores import Store
from models.organizations.table import Organization
from server.db import Database
from server.migrate import upgrade

HEADERS = ["Nombre", "Apellidos", "Correo electrónico", "Móvil", "Dirección", "Ciudad",
           "Código postal", "Fecha de nacimiento", "Comunicaciones comerciales", "Tienda",
           "Gasto medio"]
STORES = ("Centro", "Norte", "Sur")


def write_file(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(HEADERS)
        for n in range(rows):
            out.writerow([f"Nombre{n}", f"Apellido{n}", f"c{n}@example.es", f"6{n:08d}",
                          f"Calle {n % 500} {n % 90 + 1}", "Madrid", f"280{n % 50:02d}",
                          f"19{50 + n % 50}-0{n % 9 + 1}-1{n % 9}", "sí" if n % 3 else "no",
                          STORES[n % 3], "12,50"])


async def main(rows: int, database: str, pg_directory: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    if database == "postgresql":
        from bench.pg import bench_postgres

        with bench_postgres(pg_directory) as pg:
            await upgrade(pg.url)
            await run(pg.url, folder, rows)
    else:
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        await upgrade(url)
        await run(url, folder, rows)


async def run(url: str, folder: Path, rows: int) -> None:
    db = Database.connect(url)
    async with db.admin_session() as session:
        slug = f"import-bench-{int(time.time())}"
        org = Organization(slug=slug, name="Import bench", default_country="ES",
                           currency="EUR")
        session.add(org)
        await session.flush()
        session.add_all(Store(organization_id=org.id, name=name, code=name[:3].upper())
                        for name in STORES)
        await session.commit()
        org_id = org.id
    path = folder / "customers.csv"
    write_file(path, rows)
    print(f"{url.split(':')[0]}: organization {slug} ({org_id}), {rows:,} rows", flush=True)

    @asynccontextmanager
    async def sessions() -> AsyncIterator[AsyncSession]:
        async with db.sessions(info=session_info(org_id)) as session:
            yield session

    for label in ("first run (creates)", "second run (unchanged)"):
        started, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as file:
            report = await import_customers(sessions, Actor.system(org_id), file)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{label}: {report.rows} rows in {seconds:.1f} s ({report.rows / seconds:,.0f} "
              f"rows/s; this process's CPU {cpu:.1f} s); created {report.created}, updated "
              f"{report.updated}, unchanged {report.unchanged}, failed {report.failed}; peak "
              f"RSS {peak:.0f} MB", flush=True)
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="sqlite")
    parser.add_argument("--pg-directory", type=Path, default=None,
                        help="the benchmark cluster's folder (default: bench/data/pg)")
    args = parser.parse_args()
    from bench.pg import DEFAULT_DIRECTORY

    asyncio.run(main(args.rows, args.database, args.pg_directory or DEFAULT_DIRECTORY))
