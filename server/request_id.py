"""`X-Request-ID` on every response, and the last word on unexpected exceptions.

The ID is the client's (or the load balancer's) when it is sane: 1 to 64 characters of letters,
digits and `-_.:` (what the audit log's column holds); otherwise a new one. It is set in
`models.core.events.current_request_id` for the request's task, so that masked GraphQL errors, their
log lines and the domain events written by the request all carry it.

An exception that escapes the application is logged with the ID and answered with a
GraphQL-shaped 500 (`INTERNAL_SERVER_ERROR`, `requestId`), which Starlette's own error page
would not carry.
"""

import logging
import re
import uuid

import orjson
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.core.events import current_request_id
from resolvers.engine.errors import INTERNAL_ERROR_MESSAGE

HEADER = "X-Request-ID"
SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")

log = logging.getLogger("customerhub.errors")


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if SANE.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error in %s %s (request %s)", scope.get("method", ""),
                          scope.get("path", ""), request_id, extra={"request_id": request_id})
            if started or scope["type"] != "http":
                raise
            await _internal_error(send_with_id, request_id)
        finally:
            current_request_id.reset(token)


async def _internal_error(send: Send, request_id: str) -> None:
    body = orjson.dumps({"errors": [{"message": INTERNAL_ERROR_MESSAGE, "extensions": {
        "code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}]})
    await send({"type": "http.response.start", "status": 500, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
