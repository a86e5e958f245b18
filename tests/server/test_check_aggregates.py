"""`customerhub check-aggregates` finds customers whose stored aggregates drifted, and `--fix`
repairs them."""

import os
import subprocess
import sys

from sqlalchemy import update

from models.customers.table import Customer, CustomerStore

from factories import OrgFixture


def check(database_url: str, slug: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CUSTOMERHUB_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "check-aggregates", "--organization", slug, *extra],
        env=env, text=True, capture_output=True, timeout=120, check=False)


async def test_drift_is_reported_then_repaired(org: OrgFixture, database_url: str) -> None:
    good = await org.customer()
    bad = await org.customer()
    moved = await org.customer()
    for cid in (good, bad, moved):
        await org.order(cid, store_id=org.store_ids[0], total=1500, points=15)
    assert check(database_url, org.slug).returncode == 0

    async with org.db.admin_session() as session:
        await session.execute(update(Customer).where(Customer.id == bad)
                              .values(total_spent=1, points_balance=999))
        await session.execute(update(CustomerStore).where(CustomerStore.customer_id == moved)
                              .values(store_id=org.store_ids[2]))
        await session.commit()

    report = check(database_url, org.slug)
    assert report.returncode == 1
    lines = report.stdout.splitlines()
    assert len(lines) == 2
    assert f"customer {bad} " in lines[0]
    assert "total_spent stored 1 expected 1500" in lines[0]
    assert "points_balance stored 999 expected 15" in lines[0]
    assert f"customer {moved} " in lines[1]
    assert "stores" in lines[1]

    fixed = check(database_url, org.slug, "--fix")
    assert fixed.returncode == 0
    assert "2 customers repaired" in fixed.stderr
    again = check(database_url, org.slug)
    assert again.returncode == 0
    assert "all aggregates match" in again.stderr
