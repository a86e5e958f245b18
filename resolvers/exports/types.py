"""`ExportJob` and the enums of an export's input."""

from datetime import datetime
from enum import Enum

import strawberry

from models import exports
from models.exports.jobs import ExportFormat, ExportStatus
from resolvers.context import Info
from resolvers.node import to_global_id


@strawberry.enum(description="The language of the file's headers.")
class ExportLocale(Enum):
    EN = "EN"
    ES = "ES"




@strawberry.type(description="A file being written in the background; poll `exportJob(id)`.")
class ExportJob:
    id: strawberry.ID
    status: ExportStatus
    progress: int = strawberry.field(description="Percent of the rows written.")
    row_count: int | None
    format: ExportFormat
    expires_at: datetime | None
    error: str | None = strawberry.field(description="Why the job FAILED.")
    created_at: datetime
    row: strawberry.Private[exports.ExportJob]

    @classmethod
    def from_row(cls, row: exports.ExportJob) -> "ExportJob":
        return cls(id=to_global_id("ExportJob", row.id), status=row.status,
                   progress=row.progress, row_count=row.row_count, format=row.format,
                   expires_at=row.expires_at, error=row.error, created_at=row.created_at,
                   row=row)

    @strawberry.field(description="The file, once SUCCEEDED and until `expiresAt`; no "
                                  "Authorization header is needed to follow it.")
    async def url(self, info: Info) -> str | None:
        return await info.context.exports.link(self.row)
