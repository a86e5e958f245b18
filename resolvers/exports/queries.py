"""Root field `exportJob`."""

import strawberry

from models.export_jobs import ExportJob as ExportJobRow
from resolvers.context import Info
from resolvers.exports.types import ExportJob
from resolvers.node import pk_of


async def export_job(info: Info, id: strawberry.ID) -> ExportJob | None:
    async with info.context.read_session() as session:
        row = await session.get(ExportJobRow, pk_of(id, "ExportJob"))
    return ExportJob.from_row(row) if row is not None else None
