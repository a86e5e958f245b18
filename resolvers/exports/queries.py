"""Root field `exportJob`."""

import strawberry

from models import exports
from resolvers.context import Info
from resolvers.exports.types import ExportJob
from resolvers.node import pk_of


async def export_job(info: Info, id: strawberry.ID) -> ExportJob | None:
    """A caller sees a job whose file holds nothing beyond what they may see themselves: a
    manager, only jobs made within their stores."""
    scope = info.context.actor.store_scope
    async with info.context.read_session() as session:
        row = await session.get(exports.ExportJob, pk_of(id, "ExportJob"))
    if row is None:
        return None
    job_scope = row.input.get("store_scope")
    if scope is not None and (job_scope is None or not set(job_scope) <= scope):
        return None
    return ExportJob.from_row(row)
