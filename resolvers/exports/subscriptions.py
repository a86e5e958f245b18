"""Subscription `exportJobUpdated`: an export job each time its status or progress changes.

The job's row is the source of truth (the runner writing it may be another process): it is read
every `POLL_SECONDS` in a short read session of its own, and sent when it differs from the last
one sent, its current state first. The stream ends once the job is settled (SUCCEEDED, FAILED or
EXPIRED), or after `MAX_POLLS` (hours) with an error that says to subscribe again.
"""

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from models.exports import jobs
from resolvers.context import Info
from resolvers.engine.errors import ClientError
from resolvers.exports.types import ExportJob
from resolvers.node import pk_of

POLL_SECONDS = 0.5
MAX_POLLS = 4 * 60 * 60 * 2  # four hours


async def export_job_updated(info: Info, id: strawberry.ID
                             ) -> AsyncGenerator[ExportJob | None, None]:
    """The same jobs as `exportJob` (a manager's, made within their stores); any other ID is
    `NOT_FOUND`, as is a job that disappears while watched."""
    job_id = pk_of(id, "ExportJob")
    scope = info.context.actor.store_scope
    last: tuple[jobs.ExportStatus, int] | None = None
    for _ in range(MAX_POLLS):
        async with info.context.read_session() as session:
            row = await jobs.job_by_id(session, job_id)
        if row is None or not jobs.visible_within(row, scope):
            raise ClientError(f"No export job `{id}` in this organization.", code="NOT_FOUND")
        if (row.status, row.progress) != last:
            last = (row.status, row.progress)
            yield ExportJob.from_row(row)
        if row.status in jobs.SETTLED:
            return
        await asyncio.sleep(POLL_SECONDS)
    raise ClientError(f"The job was still {last[0].value if last else 'running'} after "
                      f"{MAX_POLLS * POLL_SECONDS / 3600:.0f} hours: subscribe again.",
                      code="TIMEOUT")
