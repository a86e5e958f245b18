"""The export runner: expiry sweep, pickup after a dead process, the per-organization limit, a
manager's stores, a failure's reason, and the CLI on the same rows."""

import csv
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy import select, update

from models.core.actors import Actor
from models.core.base import utcnow
from models.core.enums import ActorKind, StaffRole
from models.core.tenancy import session_info
from models.exports.jobs import (
    ExportFormat,
    ExportJob,
    ExportKind,
    ExportStatus,
    create_export_job,
    fail_job,
    finish_job,
)
from server.db import Database
from server.exports import STALE_AFTER, ExportRunner
from server.storage import LocalStorage

from clients import GraphQL
from environment import TEST_SECRET_KEY
from factories import OrgFixture, create_organization

EXPORT = """mutation($input: ExportCustomersInput!) { exportCustomers(input: $input) {
  job { id status url } userErrors { field code message } } }"""
POLL = """query($id: ID!) { exportJob(id: $id) { id status url error rowCount expiresAt } }"""


def runner(db: Database, folder: Path, concurrency: int = 2) -> ExportRunner:
    return ExportRunner(db, LocalStorage(folder), lambda: TEST_SECRET_KEY.encode(),
                        concurrency=concurrency)


async def new_job(db: Database, org: OrgFixture, status: ExportStatus = ExportStatus.PENDING,
                  **job_input: Any) -> int:
    async with db.sessions(info=session_info(org.id)) as session:
        job = await create_export_job(session, Actor.system(org.id), ExportKind.CUSTOMERS,
                                      ExportFormat.CSV, {"columns": ["EMAIL"], **job_input})
        job.status = status
        await session.commit()
        return job.id


async def jobs_of(db: Database, org: OrgFixture) -> dict[int, ExportJob]:
    async with db.sessions(info=session_info(org.id)) as session:
        return {job.id: job for job in await session.scalars(select(ExportJob))}


async def test_expired_files_are_deleted_and_their_jobs_expire(
        app: Any, client: httpx.AsyncClient, gql: GraphQL, org: OrgFixture,
        export_folder: Path) -> None:
    await org.customer()
    job = (await gql.data(EXPORT, {"input": {}}))["exportCustomers"]["job"]
    await app.state.exports.idle()
    done = (await gql.data(POLL, {"id": job["id"]}))["exportJob"]
    files = list((export_folder / str(org.id)).rglob("*.csv"))
    assert len(files) == 1
    path = urlparse(done["url"]).path

    expires_at = datetime.fromisoformat(done["expiresAt"])
    # The sweep covers every organization: other tests' older jobs may expire here too.
    await app.state.exports.sweep(now=expires_at - timedelta(seconds=1))
    assert files[0].exists()
    assert (await gql.data(POLL, {"id": job["id"]}))["exportJob"]["status"] == "SUCCEEDED"
    assert await app.state.exports.sweep(now=expires_at) >= 1
    assert not files[0].exists()
    after = (await gql.data(POLL, {"id": job["id"]}))["exportJob"]
    assert after["status"] == "EXPIRED"
    assert after["url"] is None
    assert (await client.get(path)).status_code == 410


async def test_jobs_a_dead_process_left_are_picked_up_at_start(
        db: Database, org: OrgFixture, tmp_path: Path) -> None:
    await org.customer(email="left@example.com")
    running = await new_job(db, org, ExportStatus.RUNNING)
    pending = await new_job(db, org)
    fresh = runner(db, tmp_path)
    await fresh.start()
    await fresh.idle()
    await fresh.stop()
    jobs = await jobs_of(db, org)
    for job_id in (running, pending):
        assert jobs[job_id].status is ExportStatus.SUCCEEDED, jobs[job_id].error
        assert jobs[job_id].row_count == 1
        key = jobs[job_id].file_key
        assert key is not None
        assert "left@example.com" in (tmp_path / key).read_text("utf-8-sig")


async def test_at_most_n_jobs_of_an_organization_run_at_once(
        db: Database, org: OrgFixture, tmp_path: Path) -> None:
    other = await create_organization(db)
    for n in range(30):
        await org.customer(email=f"limit{n}@example.com")
    limited = runner(db, tmp_path, concurrency=2)
    ours = [await new_job(db, org) for _ in range(4)]
    theirs = await new_job(db, other)

    # Claiming happens before any job runs: two start, the others wait.
    await limited._fill(org.id)
    statuses = [j.status for j in (await jobs_of(db, org)).values()]
    assert statuses.count(ExportStatus.RUNNING) == 2
    assert statuses.count(ExportStatus.PENDING) == 2
    # Another organization's job is not held up by ours.
    await limited._fill(other.id)
    assert (await jobs_of(db, other))[theirs].status is ExportStatus.RUNNING

    await limited.idle()
    jobs = await jobs_of(db, org)
    assert all(jobs[j].status is ExportStatus.SUCCEEDED for j in ours)
    # Never more than two at any moment: each job started after all but one earlier one ended.
    spans = sorted((jobs[j].started_at, jobs[j].finished_at) for j in ours)
    for index, (start, _) in enumerate(spans):
        overlapping = [s for s in spans[:index] if s[1] is not None and s[1] > start]
        assert len(overlapping) <= 1, spans


async def test_a_failed_job_says_why(db: Database, org: OrgFixture, tmp_path: Path) -> None:
    job_id = await new_job(db, org, columns=["NO_SUCH_COLUMN"])
    failing = runner(db, tmp_path)
    failing.wake(org.id)
    await failing.idle()
    job = (await jobs_of(db, org))[job_id]
    assert job.status is ExportStatus.FAILED
    assert job.error is not None
    assert f"export job {job_id}" in job.error
    assert job.finished_at is not None


async def test_a_managers_export_holds_only_their_stores(
        app: Any, client: httpx.AsyncClient, org: OrgFixture, staff_gql: Any) -> None:
    store_a, store_b, _ = org.store_ids
    await org.customer(email="at-a@example.com", main_store_id=store_a)
    await org.customer(email="at-b@example.com", main_store_id=store_b)
    manager = await staff_gql(StaffRole.MANAGER, stores=[store_a])
    owner = await staff_gql(StaffRole.OWNER)
    job = (await manager.data(EXPORT, {"input": {"columns": ["EMAIL"]}}))["exportCustomers"][
        "job"]
    await app.state.exports.idle()
    done = (await manager.data(POLL, {"id": job["id"]}))["exportJob"]
    body = (await client.get(urlparse(done["url"]).path)).content.decode("utf-8-sig")
    assert body.split() == ["Email", "at-a@example.com"]
    # The owner may see the manager's job; the manager may not see the owner's.
    assert (await owner.data(POLL, {"id": job["id"]}))["exportJob"] is not None
    owners = (await owner.data(EXPORT, {"input": {}}))["exportCustomers"]["job"]
    await app.state.exports.idle()
    assert (await manager.data(POLL, {"id": owners["id"]}))["exportJob"] is None


def test_cli_export_writes_the_same_rows(tmp_path: Path) -> None:
    env = {**os.environ,
           "CUSTOMERHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, text=True,
                              capture_output=True, timeout=300, check=False)

    assert cli("migrate").returncode == 0
    seeded = cli("seed-demo", "--customers", "120", "--orders", "300")
    assert seeded.returncode == 0, seeded.stderr
    out = tmp_path / "pos.csv"
    done = cli("export", "demo", "--format", "csv", "--filter-json",
               '{"sources": ["POS"], "order_count": {"low": 1}}', "--columns",
               "email,source,order_count", "--sort", "ORDER_COUNT:desc,EMAIL", "--locale", "es",
               "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert "exported" in done.stderr
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"), newline="")))
    assert rows[0] == ["Correo electrónico", "Origen", "Pedidos"]
    assert rows[1:]
    assert {r[1] for r in rows[1:]} == {"POS"}
    counts = [int(r[2]) for r in rows[1:]]
    assert min(counts) >= 1
    assert counts == sorted(counts, reverse=True)
    assert f"{len(rows) - 1} customers written" in done.stderr

    xlsx = tmp_path / "all.xlsx"
    assert cli("export", "demo", "--format", "xlsx", "--output", str(xlsx)).returncode == 0
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx)["Customers"]
    assert sheet.max_row == 121

    bad = cli("export", "demo", "--filter-json", '{"nope": 1}', "--output", str(out))
    assert bad.returncode == 1
    assert "nope" in bad.stderr
    missing = cli("export", "nobody", "--output", str(out))
    assert missing.returncode == 1
    assert "no organization" in missing.stderr


async def test_progress_and_row_count_are_kept(db: Database, org: OrgFixture,
                                               tmp_path: Path) -> None:
    for n in range(5):
        await org.customer(email=f"p{n}@example.com")
    job_id = await new_job(db, org)
    async with db.sessions(info=session_info(org.id)) as session:
        await session.execute(update(ExportJob).where(ExportJob.id == job_id)
                              .values(created_at=datetime(2026, 1, 2, tzinfo=UTC)))
        await session.commit()
    one = runner(db, tmp_path)
    one.wake(org.id)
    await one.idle()
    job = (await jobs_of(db, org))[job_id]
    assert (job.progress, job.row_count, job.file_name) == (100, 5, "customers-2026-01-02.csv")
    assert job.actor_kind is ActorKind.SYSTEM


async def hold(db: Database, org: OrgFixture, job_id: int, runner_id: str,
               heartbeat_at: datetime) -> None:
    """The job as a runner of another process left it: RUNNING, held, last beat then."""
    async with db.sessions(info=session_info(org.id)) as session:
        await session.execute(update(ExportJob).where(ExportJob.id == job_id).values(
            status=ExportStatus.RUNNING, runner_id=runner_id, heartbeat_at=heartbeat_at,
            started_at=heartbeat_at))
        await session.commit()


async def test_a_live_process_keeps_its_job_and_a_silent_one_loses_it(
        db: Database, org: OrgFixture, tmp_path: Path) -> None:
    await org.customer(email="beat@example.com")
    job_id = await new_job(db, org)
    await hold(db, org, job_id, "other-process", utcnow())
    starting = runner(db, tmp_path)
    await starting.start()  # another process starting up: the job is alive elsewhere
    await starting.idle()
    job = (await jobs_of(db, org))[job_id]
    assert (job.status, job.runner_id) == (ExportStatus.RUNNING, "other-process")

    # The other process goes silent; at a later beat this runner takes the job and runs it.
    await starting.tend(now=utcnow() + STALE_AFTER + timedelta(seconds=1))
    await starting.idle()
    job = (await jobs_of(db, org))[job_id]
    assert job.status is ExportStatus.SUCCEEDED, job.error
    assert job.runner_id == starting.runner_id
    await starting.stop()

    # The silent one comes back and tries to finish or fail it: nothing of it is written.
    async with db.sessions(info=session_info(org.id)) as session:
        assert not await finish_job(session, job_id, "other-process", row_count=9,
                                    file_key="theirs.csv", name="theirs.csv",
                                    expires_at=utcnow())
        await fail_job(session, job_id, "other-process", "too late")
        await session.commit()
    after = (await jobs_of(db, org))[job_id]
    assert (after.status, after.row_count, after.file_key, after.error) == (
        ExportStatus.SUCCEEDED, 1, job.file_key, None)


async def test_a_stopping_runner_hands_its_jobs_back(db: Database, org: OrgFixture,
                                                     tmp_path: Path) -> None:
    mine, theirs = await new_job(db, org), await new_job(db, org)
    stopping = runner(db, tmp_path)
    await hold(db, org, mine, stopping.runner_id, utcnow())
    await hold(db, org, theirs, "live-elsewhere", utcnow())
    await stopping.stop()
    jobs = await jobs_of(db, org)
    assert (jobs[mine].status, jobs[mine].runner_id) == (ExportStatus.PENDING, None)
    assert (jobs[theirs].status, jobs[theirs].runner_id) == (ExportStatus.RUNNING,
                                                             "live-elsewhere")
    async with db.sessions(info=session_info(org.id)) as session:  # not left to other tests
        await session.execute(update(ExportJob).where(ExportJob.id.in_([mine, theirs]))
                              .values(status=ExportStatus.FAILED, runner_id=None))
        await session.commit()
