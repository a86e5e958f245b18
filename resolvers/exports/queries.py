"""Root field `exportJob`."""

import strawberry

from models.exports import jobs
from resolvers.context import Info
from resolvers.exports.types import ExportJob
from resolvers.node import pk_of


async def export_job(info: Info, id: strawberry.ID) -> ExportJob | None:
    """A caller sees a job whose file holds nothing beyond what they may see themselves: a
    manager, only jobs made within their stores."""
    async with info.context.read_session() as session:
        row = await jobs.job_by_id(session, pk_of(id, "ExportJob"))
    if row is None or not jobs.visible_within(row, info.context.actor.store_scope):
        return None
    return ExportJob.from_row(row)
