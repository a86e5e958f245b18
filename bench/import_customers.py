"""Import of a generated customer file, timed: `customerhub import`'s rule on SQLite.

    .venv/bin/python -m bench.import_customers --rows 100000

Writes a CSV of `--rows` Spanish-header rows (names, email, phone, address, birthday, consent)
to a temporary folder, migrates a fresh SQLite database there with one organization, and runs
`models.customer_import.import_customers` over it twice: the first run creates every customer,
the second finds them all unchanged. Prints rows per second and the process's peak RSS.
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

from models.actors import Actor
from models.customer_import import import_customers
from models.organizations import Organization
from models.tenancy import session_info
from server.db import Database
from server.migrate import upgrade

HEADERS = ["Nombre", "Apellidos", "Correo electrónico", "Móvil", "Dirección", "Ciudad",
           "Código postal", "Fecha de nacimiento", "Comunicaciones comerciales", "Gasto medio"]


def write_file(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(HEADERS)
        for n in range(rows):
            out.writerow([f"Nombre{n}", f"Apellido{n}", f"c{n}@example.es", f"6{n:08d}",
                          f"Calle {n % 500} {n % 90 + 1}", "Madrid", f"280{n % 50:02d}",
                          f"19{50 + n % 50}-0{n % 9 + 1}-1{n % 9}", "sí" if n % 3 else "no",
                          "12,50"])


async def main(rows: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await upgrade(url)
    db = Database.connect(url)
    async with db.admin_session() as session:
        org = Organization(slug="bench", name="Bench", default_country="ES", currency="EUR")
        session.add(org)
        await session.commit()
        org_id = org.id
    path = folder / "customers.csv"
    write_file(path, rows)

    @asynccontextmanager
    async def sessions() -> AsyncIterator[AsyncSession]:
        async with db.sessions(info=session_info(org_id)) as session:
            yield session

    for label in ("first run (creates)", "second run (unchanged)"):
        started = time.perf_counter()
        with path.open("rb") as file:
            report = await import_customers(sessions, Actor.system(org_id), file)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{label}: {report.rows} rows in {seconds:.1f} s ({report.rows / seconds:,.0f} "
              f"rows/s); created {report.created}, unchanged {report.unchanged}, failed "
              f"{report.failed}; peak RSS {peak:.0f} MB")
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().rows))
