"""Export jobs: what was asked for, by whom, and how far it got; the rules that move a job along.

A job is created PENDING; a runner claims it (RUNNING), writes the file and marks it SUCCEEDED
with the file's key and expiry, or FAILED with the reason. An expired file is deleted and its
job becomes EXPIRED. The runner is `server/exports.py`; these rules are all it writes through.
"""

from dataclasses import fields
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.actors import Actor
from models.core.base import Base, BigId, TenantScoped, enum_column, utcnow
from models.core.enums import ActorKind, CustomerSource, CustomerType, RiskLevel, ShopperLevel
from models.customers.search import Between, CustomerCriteria, CustomerOrder, CustomerSortField


class ExportStatus(Enum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


# A job in one of these states never changes again (but for EXPIRED, which ends SUCCEEDED).
SETTLED = frozenset({ExportStatus.SUCCEEDED, ExportStatus.FAILED, ExportStatus.EXPIRED})


class ExportKind(Enum):
    CUSTOMERS = "CUSTOMERS"
    HISTORY = "HISTORY"
    # An import's report: written by the request that imported, kept and served as an export's
    # file is (the same signed link, expiry and sweep); SUCCEEDED from the start.
    IMPORT_REPORT = "IMPORT_REPORT"


class ExportFormat(Enum):
    CSV = "CSV"
    XLSX = "XLSX"


class ExportJob(TenantScoped, Base):
    __tablename__ = "export_jobs"
    __table_args__ = (
        Index("ix_export_jobs_status", "status", "organization_id", "id"),
        Index("ix_export_jobs_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[ExportKind] = mapped_column(enum_column(ExportKind))
    format: Mapped[ExportFormat] = mapped_column(enum_column(ExportFormat))
    # What to export: filter, sort, columns, locale, customer id (see `customers_input`).
    input: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus))
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    row_count: Mapped[int | None] = mapped_column(Integer)
    file_key: Mapped[str | None] = mapped_column(String(300))
    file_name: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The runner (one server process) that holds a RUNNING job, and when it last said it was
    # alive: a job whose heartbeat stops is another process's to take (`requeue_abandoned`).
    runner_id: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[datetime | None]


def visible_within(job: ExportJob, store_scope: frozenset[int] | None) -> bool:
    """Whether a caller limited to `store_scope` (a manager's stores; None for the whole
    organization) may see the job: its file holds nothing beyond those stores."""
    if store_scope is None:
        return True
    job_scope = job.input.get("store_scope")
    return job_scope is not None and set(job_scope) <= store_scope


async def job_by_id(session: AsyncSession, job_id: int) -> ExportJob | None:
    """The job as its row is now (a subscription polls it: the runner may be another
    process); the session's tenancy keeps it to the organization."""
    row: ExportJob | None = await session.scalar(select(ExportJob).where(ExportJob.id == job_id)
                                                 .execution_options(populate_existing=True))
    return row


async def create_export_job(session: AsyncSession, actor: Actor, kind: ExportKind,
                            file_format: ExportFormat, job_input: dict[str, Any]) -> ExportJob:
    job = ExportJob(organization_id=actor.organization_id, actor_kind=actor.kind,
                    actor_id=actor.id, kind=kind, format=file_format, input=job_input,
                    status=ExportStatus.PENDING, progress=0, created_at=utcnow())
    session.add(job)
    await session.flush()
    return job


async def record_file(session: AsyncSession, actor: Actor, kind: ExportKind,
                      file_format: ExportFormat, *, file_key: str, name: str, row_count: int,
                      expires_at: datetime) -> ExportJob:
    """A file a request wrote itself and has already stored (an import's report), as a
    finished job, so that it gets an export's link and is swept when it expires; no runner
    ever picks it up."""
    now = utcnow()
    job = ExportJob(organization_id=actor.organization_id, actor_kind=actor.kind,
                    actor_id=actor.id, kind=kind, format=file_format, input={},
                    status=ExportStatus.SUCCEEDED, progress=100, row_count=row_count,
                    file_key=file_key, file_name=name, expires_at=expires_at, created_at=now,
                    started_at=now, finished_at=now)
    session.add(job)
    await session.flush()
    return job


async def claim_job(session: AsyncSession, job_id: int, runner_id: str) -> bool:
    """Mark a PENDING job RUNNING, held by this runner; False when another runner got it
    first."""
    now = utcnow()
    result = await session.execute(
        update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == ExportStatus.PENDING)
        .values(status=ExportStatus.RUNNING, started_at=now, progress=0, runner_id=runner_id,
                heartbeat_at=now)
        .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def _held(job_id: int, runner_id: str) -> tuple[Any, ...]:
    """The conditions under which a runner may still write a job: it is RUNNING and theirs (a
    runner whose heartbeat stopped may come back to find another has taken it)."""
    return (ExportJob.id == job_id, ExportJob.status == ExportStatus.RUNNING,
            ExportJob.runner_id == runner_id)


async def beat(session: AsyncSession, runner_id: str, now: datetime) -> None:
    """The runner is alive: every job it holds says so (all organizations: admin session)."""
    await session.execute(
        update(ExportJob).where(ExportJob.status == ExportStatus.RUNNING,
                                ExportJob.runner_id == runner_id)
        .values(heartbeat_at=now).execution_options(synchronize_session=False))


async def release(session: AsyncSession, runner_id: str) -> None:
    """A runner stopping hands its jobs back, for any live process to run again."""
    await session.execute(
        update(ExportJob).where(ExportJob.status == ExportStatus.RUNNING,
                                ExportJob.runner_id == runner_id)
        .values(status=ExportStatus.PENDING, started_at=None, progress=0, runner_id=None,
                heartbeat_at=None)
        .execution_options(synchronize_session=False))


async def pending_jobs(session: AsyncSession, limit: int) -> list[int]:
    """The organization's oldest PENDING jobs, first come first served."""
    rows = await session.scalars(
        select(ExportJob.id).where(ExportJob.status == ExportStatus.PENDING)
        .order_by(ExportJob.id).limit(limit))
    return list(rows)


async def running_count(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(ExportJob)
        .where(ExportJob.status == ExportStatus.RUNNING))
    return int(count or 0)


async def requeue_abandoned(session: AsyncSession, now: datetime, stale_after: timedelta
                            ) -> list[int]:
    """Jobs left RUNNING by a process that died (no heartbeat for `stale_after`) go back to
    PENDING; those of live processes stay theirs. Returns the organizations with PENDING jobs
    (all organizations: an admin session)."""
    await session.execute(
        update(ExportJob).where(ExportJob.status == ExportStatus.RUNNING,
                                or_(ExportJob.heartbeat_at.is_(None),
                                    ExportJob.heartbeat_at < now - stale_after))
        .values(status=ExportStatus.PENDING, started_at=None, progress=0, runner_id=None,
                heartbeat_at=None)
        .execution_options(synchronize_session=False))
    rows = await session.scalars(
        select(ExportJob.organization_id).where(ExportJob.status == ExportStatus.PENDING)
        .distinct())
    return list(rows)


async def expired_jobs(session: AsyncSession, now: datetime) -> list[ExportJob]:
    rows = await session.scalars(
        select(ExportJob).where(ExportJob.status == ExportStatus.SUCCEEDED,
                                ExportJob.expires_at <= now))
    return list(rows)


def ttl_expiry(now: datetime, hours: float) -> datetime:
    return now + timedelta(hours=hours)


# The job's input as JSON. A criteria's fields are stored by name; the CLI's --filter-json
# takes the same shape: {"sources": ["WEB"], "order_count": {"low": 1}, "search": "ana"}.
_ENUM_FIELDS: dict[str, type[Enum]] = {
    "types": CustomerType, "sources": CustomerSource, "risk_levels": RiskLevel,
    "shopper_levels": ShopperLevel}
_ID_FIELDS = {"ids", "store_ids", "main_store_ids"}
_TIME_FIELDS = {"registered_at", "last_access_at", "last_order_at", "updated_at"}
_INT_RANGES = {"order_count", "total_spent"}


def criteria_to_json(criteria: CustomerCriteria) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(criteria):
        value = getattr(criteria, f.name)
        if value is None:
            continue
        if f.name in _ENUM_FIELDS:
            out[f.name] = [member.value for member in value]
        elif f.name in _ID_FIELDS:
            out[f.name] = list(value)
        elif f.name in _TIME_FIELDS:
            out[f.name] = {"low": value.low.isoformat() if value.low else None,
                           "high": value.high.isoformat() if value.high else None}
        elif f.name in _INT_RANGES:
            out[f.name] = {"low": value.low, "high": value.high}
        else:
            out[f.name] = value
    return out


def criteria_from_json(data: dict[str, Any]) -> CustomerCriteria:
    """The criteria stored by `criteria_to_json`; ValueError (or KeyError) for anything else."""
    known = {f.name for f in fields(CustomerCriteria)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown filter fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            continue
        if name in _ENUM_FIELDS:
            values[name] = tuple(_ENUM_FIELDS[name](v) for v in value)
        elif name in _ID_FIELDS:
            values[name] = tuple(int(v) for v in value)
        elif name in _TIME_FIELDS:
            values[name] = Between(*(datetime.fromisoformat(value[end]) if value.get(end)
                                     else None for end in ("low", "high")))
        elif name in _INT_RANGES:
            values[name] = Between(value.get("low"), value.get("high"))
        else:
            values[name] = value
    return CustomerCriteria(**values)


def ordering_to_json(ordering: list[CustomerOrder]) -> list[dict[str, Any]]:
    return [{"field": o.field.value, "descending": o.descending} for o in ordering]


def ordering_from_json(data: list[dict[str, Any]]) -> list[CustomerOrder]:
    return [CustomerOrder(CustomerSortField(o["field"]), bool(o.get("descending")))
            for o in data]


def file_name(job: ExportJob) -> str:
    """`customers-2026-11-23.xlsx`, `customer-42-history-2026-11-23.csv`."""
    day = job.created_at.date().isoformat()
    extension = job.format.value.lower()
    if job.kind is ExportKind.HISTORY:
        return f"customer-{job.input.get('customer_id')}-history-{day}.{extension}"
    if job.kind is ExportKind.IMPORT_REPORT:
        return f"import-report-{day}.{extension}"
    return f"customers-{day}.{extension}"


async def finish_job(session: AsyncSession, job_id: int, runner_id: str, *, row_count: int,
                     file_key: str, name: str, expires_at: datetime) -> bool:
    """The job succeeded with this file; False when the runner no longer holds it (its file
    is then the caller's to delete)."""
    result = await session.execute(
        update(ExportJob).where(*_held(job_id, runner_id))
        .values(status=ExportStatus.SUCCEEDED, progress=100, row_count=row_count,
                file_key=file_key, file_name=name, expires_at=expires_at, finished_at=utcnow())
        .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


async def fail_job(session: AsyncSession, job_id: int, runner_id: str, reason: str) -> None:
    await session.execute(
        update(ExportJob).where(*_held(job_id, runner_id))
        .values(status=ExportStatus.FAILED, error=reason, finished_at=utcnow())
        .execution_options(synchronize_session=False))


async def set_progress(session: AsyncSession, job_id: int, runner_id: str, percent: int,
                       rows: int) -> None:
    await session.execute(
        update(ExportJob).where(*_held(job_id, runner_id))
        .values(progress=percent, row_count=rows)
        .execution_options(synchronize_session=False))


async def expire_job(session: AsyncSession, job_id: int) -> None:
    await session.execute(
        update(ExportJob).where(ExportJob.id == job_id)
        .values(status=ExportStatus.EXPIRED, file_key=None)
        .execution_options(synchronize_session=False))
