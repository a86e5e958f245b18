"""The ID of the HTTP request being served, so that a masked error and its log line carry the
same one. `server/request_id.py` sets it for each request; it is None outside one (tests that
execute the schema in process, the CLI)."""

from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("customerhub_request_id", default=None)
