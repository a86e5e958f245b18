"""`GET /exports/{token}`: an export file, for the organization the signed token names.

No Authorization header is needed (a browser follows the link); the token carries the job and
the organization, and the job row is read in that organization's scope, so a token of one
organization never reaches another's file.
"""

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from models.core.base import utcnow
from models.core.tenancy import session_info
from models.exports.files import CONTENT_TYPES
from models.exports.jobs import ExportJob, ExportStatus
from server.db import Database
from server.download_links import AlteredLink, ExpiredLink, verify
from server.exports import ExportRunner
from server.storage import content_disposition


def _refusal(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def download_endpoint(database: Database, runner: ExportRunner):  # type: ignore[no-untyped-def]
    async def download(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            target = verify(runner.secret, token, utcnow())
        except AlteredLink as altered:
            return _refusal(403, str(altered))
        except ExpiredLink as expired:
            return _refusal(410, str(expired))
        async with database.sessions(info=session_info(target.organization_id)) as session:
            job = await session.get(ExportJob, target.job_id)
        if job is None or job.organization_id != target.organization_id:
            return _refusal(404, "No such export.")
        if job.status is ExportStatus.EXPIRED:
            return _refusal(410, "This export has expired and its file was deleted.")
        if job.status is not ExportStatus.SUCCEEDED or job.file_key is None:
            return _refusal(404, "This export has no file yet.")
        name = job.file_name or "export"
        path = runner.storage.local_path(job.file_key)
        if path is None:
            url = await runner.link(job, str(request.base_url))
            return RedirectResponse(url) if url else _refusal(410, "This export has expired.")
        if not path.exists():
            return _refusal(410, "This export's file was deleted.")
        return FileResponse(path, media_type=CONTENT_TYPES[job.format.value],
                            headers={"Content-Disposition": content_disposition(name)})

    return download
