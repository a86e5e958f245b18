"""Export jobs run in the server process as asyncio tasks.

`wake(organization)` starts the organization's oldest PENDING jobs while fewer than
`export_concurrency` of its jobs are RUNNING (the count is read from the table, so several
processes share the limit); a job that ends wakes its organization again.

Each runner (one per server process) holds the jobs it claimed under an id of its own and beats
for them every HEARTBEAT_SECONDS. Jobs whose heartbeat stopped for STALE_AFTER (their process
died) go back to PENDING and run again wherever a runner looks next: at start-up and at every
beat, so other live processes pick them up without a restart; a runner that stops hands its
jobs back at once. A runner that comes back after its jobs were taken writes nothing more of
them. Expired files are swept at start-up and every few minutes.
"""

import asyncio
import functools
import logging
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from models.core.actors import Actor
from models.core.base import utcnow
from models.core.events import current_request_id
from models.core.tenancy import session_info
from models.customers.columns import columns_for
from models.customers.search import count_customers
from models.exports import jobs
from models.exports.files import CONTENT_TYPES
from models.exports.history import export_history
from models.exports.rows import export_customers
from models.organizations.table import Organization
from server.db import Database
from server.download_links import sign
from server.storage import Storage

log = logging.getLogger("customerhub.exports")
SWEEP_SECONDS = 300
HEARTBEAT_SECONDS = 20
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 4)


class ExportFailed(Exception):
    """A failure whose message the client may read as it is."""


class ExportRunner:
    def __init__(self, database: Database, storage: Storage, secret: Callable[[], bytes], *,
                 concurrency: int = 2, ttl_hours: float = 24) -> None:
        self.database = database
        self.storage = storage
        self._secret = secret
        self.concurrency = max(1, concurrency)
        self.ttl = timedelta(hours=ttl_hours)
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._heart: asyncio.Task[None] | None = None
        self.runner_id = uuid.uuid4().hex

    @functools.cached_property
    def secret(self) -> bytes:
        """Read when the first link is made or checked, not when the app is built."""
        return self._secret()

    # Scheduling ---------------------------------------------------------------------------

    def wake(self, organization_id: int) -> None:
        self._spawn(self._fill(organization_id))

    def _spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _fill(self, organization_id: int) -> None:
        async with self._lock, self.database.sessions(
                info=session_info(organization_id)) as session:
            free = self.concurrency - await jobs.running_count(session)
            started = []
            if free > 0:
                for job_id in await jobs.pending_jobs(session, free):
                    if await jobs.claim_job(session, job_id, self.runner_id):
                        started.append(job_id)
            await session.commit()
        for job_id in started:
            self._spawn(self._run(organization_id, job_id))

    async def idle(self) -> None:
        """Wait until no job is running or about to start (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def start(self) -> None:
        """Pick up what dead processes left, sweep expired files, and keep beating and
        sweeping."""
        await self.tend()
        await self.sweep()
        loop = asyncio.get_running_loop()
        self._sweeper = loop.create_task(self._sweep_forever())
        self._heart = loop.create_task(self._beat_forever())

    async def stop(self) -> None:
        """Cancel running jobs and hand them back (PENDING) for any live process to run."""
        background = [task for task in (self._sweeper, self._heart) if task is not None]
        tasks = [*self._tasks, *background]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        async with self.database.admin_session() as session:
            await jobs.release(session, self.runner_id)
            await session.commit()

    async def tend(self, now: datetime | None = None) -> None:
        """Beat for this runner's jobs, and put those of runners that stopped beating back in
        the queue, waking their organizations."""
        now = now or utcnow()
        async with self.database.admin_session() as session:
            await jobs.beat(session, self.runner_id, now)
            organizations = await jobs.requeue_abandoned(session, now, STALE_AFTER)
            await session.commit()
        for organization_id in organizations:
            self.wake(organization_id)

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.tend()
            except Exception:
                log.exception("export heartbeat failed")

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.sweep()
            except Exception:
                log.exception("export sweep failed")

    async def sweep(self, now: datetime | None = None) -> int:
        """Delete the files of expired jobs, which become EXPIRED; how many."""
        async with self.database.admin_session() as session:
            expired = await jobs.expired_jobs(session, now or utcnow())
            for job in expired:
                if job.file_key:
                    await self.storage.delete(job.file_key)
                await jobs.expire_job(session, job.id)
            await session.commit()
        return len(expired)

    # Running one job ----------------------------------------------------------------------

    async def _run(self, organization_id: int, job_id: int) -> None:
        try:
            await self._write(organization_id, job_id)
        except asyncio.CancelledError:
            raise
        except Exception as failure:
            log.exception("export job %s failed (request %s)", job_id, current_request_id.get())
            reason = str(failure) if isinstance(failure, ExportFailed) else (
                "The export failed on the server; try again, or ask the administrator to look "
                f"for export job {job_id} in the server log.")
            async with self.database.sessions(info=session_info(organization_id)) as session:
                await jobs.fail_job(session, job_id, self.runner_id, reason)
                await session.commit()
        finally:
            self.wake(organization_id)

    async def _write(self, organization_id: int, job_id: int) -> None:
        sessions = self.database.sessions
        info = session_info(organization_id)
        async with sessions(info=info) as session:
            job = await session.get(jobs.ExportJob, job_id)
            organization = await session.get(Organization, organization_id)
        if job is None or organization is None:
            raise ExportFailed("The export job no longer exists.")
        name = jobs.file_name(job)
        with tempfile.NamedTemporaryFile(
                dir=self.storage.scratch_folder(), suffix="." + job.format.value.lower(),
                delete=False) as file:
            scratch = Path(file.name)
            try:
                rows = await self._write_file(job, organization, file)
            except BaseException:
                await asyncio.to_thread(scratch.unlink, missing_ok=True)
                raise
        try:
            key = f"{organization_id}/{job_id}/{name}"
            await self.storage.put(key, scratch, CONTENT_TYPES[job.format.value], name)
        finally:
            await asyncio.to_thread(scratch.unlink, missing_ok=True)
        async with sessions(info=info) as session:
            finished = await jobs.finish_job(session, job_id, self.runner_id, row_count=rows,
                                             file_key=key, name=name,
                                             expires_at=utcnow() + self.ttl)
            await session.commit()
        if not finished:  # taken over while this runner was silent: the other one's file counts
            log.warning("export job %s was taken over by another runner; dropping this file",
                        job_id)
            await self.storage.delete(key)

    async def _write_file(self, job: jobs.ExportJob, organization: Organization,
                          file: Any) -> int:
        spec = job.input
        scope = spec.get("store_scope")
        info = session_info(organization.id, store_scope=scope)
        locale = spec.get("locale", "EN")
        # Two connections: the cursor holds one until its last row; progress goes on the other.
        async with self.database.sessions(info=info) as rows, \
                self.database.sessions(info=info) as other:
            if job.kind is jobs.ExportKind.HISTORY:
                return await export_history(
                    rows, file, customer_id=int(spec["customer_id"]), locale=locale,
                    file_format=job.format.value, currency=organization.currency)
            criteria = jobs.criteria_from_json(spec.get("filter") or {})
            total = await count_customers(other, criteria, organization.default_country)
            reported = 0

            async def progress(written: int) -> None:
                nonlocal reported
                percent = min(99, written * 100 // max(1, total))
                if percent > reported:
                    reported = percent
                    await jobs.set_progress(other, job.id, self.runner_id, percent, written)
                    await other.commit()

            return await export_customers(
                rows, file, criteria=criteria,
                ordering=jobs.ordering_from_json(spec.get("sort") or []),
                columns=columns_for(spec.get("columns")), locale=locale,
                file_format=job.format.value, default_country=organization.default_country,
                currency=organization.currency, progress=progress)

    # Files a request wrote ------------------------------------------------------------

    async def keep_file(self, actor: Actor, local: Path, name: str, kind: jobs.ExportKind,
                        rows: int) -> jobs.ExportJob:
        """Store a file a request wrote (an import's report) as an export's file is, with a
        finished job of its own: the same link, expiry and sweep."""
        key = f"{actor.organization_id}/{kind.value.lower()}/{uuid.uuid4().hex}/{name}"
        try:
            await self.storage.put(key, local, CONTENT_TYPES["CSV"], name)
        finally:
            await asyncio.to_thread(local.unlink, missing_ok=True)
        async with self.database.sessions(info=session_info(actor.organization_id)) as session:
            job = await jobs.record_file(session, actor, kind, jobs.ExportFormat.CSV,
                                         file_key=key, name=name, row_count=rows,
                                         expires_at=utcnow() + self.ttl)
            await session.commit()
        return job

    # Links --------------------------------------------------------------------------------

    async def link(self, job: jobs.ExportJob, base_url: str) -> str | None:
        """The download link of a finished job, until it expires."""
        if (job.status is not jobs.ExportStatus.SUCCEEDED or job.expires_at is None
                or job.file_key is None or job.expires_at <= utcnow()):
            return None
        seconds = int((job.expires_at - utcnow()).total_seconds())
        presigned = await self.storage.presigned_url(job.file_key, job.file_name or "", seconds)
        if presigned is not None:
            return presigned
        token = sign(self.secret, job.id, job.organization_id, job.expires_at)
        return f"{base_url.rstrip('/')}/exports/{token}"


class RequestExports:
    """The runner as one request's context sees it: links are made from the request's URL."""

    def __init__(self, runner: ExportRunner, base_url: str) -> None:
        self.runner = runner
        self.base_url = base_url

    def wake(self, organization_id: int) -> None:
        self.runner.wake(organization_id)

    async def link(self, job: jobs.ExportJob) -> str | None:
        return await self.runner.link(job, self.base_url)

    def scratch_folder(self) -> Path:
        return self.runner.storage.scratch_folder()

    async def keep_report(self, actor: Actor, local: Path, rows: int) -> str | None:
        name = f"import-report-{utcnow().date().isoformat()}.csv"
        job = await self.runner.keep_file(actor, local, name, jobs.ExportKind.IMPORT_REPORT,
                                          rows)
        return await self.link(job)
