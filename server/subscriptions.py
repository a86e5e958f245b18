"""Subscriptions over a WebSocket at `/graphql`: Strawberry's `graphql-transport-ws` and
`graphql-ws` handlers, with our credential check at `connection_init`.

The credential comes in `connection_init`'s payload, `{"Authorization": "Bearer ..."}` (or
`authorization`): the view (`GraphQLView.connection_context`) checks it with the same
Authenticator as HTTP and returns the connection's context, or refuses with a close code: 4401
for no or a bad credential, 4403 for a caller that may not subscribe, 4429 over the rate limit.
Until it is accepted the connection holds an anonymous context that nothing runs with: Strawberry
closes with 4401 any operation sent before the acknowledgement.

Each handler also refuses, with an `error` for that operation, one that goes over the
subscriptions a connection may hold (the view's `max_subscriptions_per_connection`; the error
names the limit) or over the caller's rate limit: every operation on the socket counts as a
request, so that queries sent over it are limited as over HTTP. And
`graphql-transport-ws` connections get a `ping` every `keep_alive_interval` seconds
(`graphql-ws` ones get Strawberry's `ka`). The connection's context, and so its loaders, serves
all its operations: the loaders are cleared whenever one of them ends. Once accepted, the
connection's credential is watched (server/credential_watch.py): the connection closes with 4401
when the access token expires or the credential is revoked.
"""

import asyncio
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Protocol, cast

from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.async_base_view import AsyncWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyInitMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage

from resolvers.context import Context

if TYPE_CHECKING:
    from server.credential_watch import CredentialWatch

UNAUTHENTICATED = 4401
FORBIDDEN = 4403
RATE_LIMITED = 4429
MAX_CLOSE_REASON = 123  # bytes, by RFC 6455
MAX_PINGS = 100_000  # a day and more at the default interval; then the client reconnects
LIMIT_SETTING = "CUSTOMERHUB_MAX_SUBSCRIPTIONS_PER_CONNECTION"


class ConnectionRefused(Exception):
    """The connection may not go on: the close code, and a message saying why."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def reason(self) -> str:
        """The message as a close frame's reason holds it (at most 123 bytes)."""
        encoded = self.message.encode()
        if len(encoded) <= MAX_CLOSE_REASON:
            return self.message
        return encoded[:MAX_CLOSE_REASON - 3].decode(errors="ignore") + "..."


class Gate(Protocol):
    """What the handlers need of the view."""

    keep_alive_interval: float

    async def connection_context(self, websocket: WebSocket, payload: dict[str, object]
                                 ) -> Context:
        """The accepted connection's context; `ConnectionRefused` otherwise."""
        ...

    async def over_rate_limit(self, websocket: WebSocket, context: Context) -> str | None:
        """Count one operation of the connection's caller; the refusal when over budget."""
        ...

    def credential_watch(self, websocket: WebSocket) -> "CredentialWatch":
        """The watch over the accepted connection's credential, not started."""
        ...


def _gate(view: object) -> Gate:
    return cast(Gate, view)


def _socket(adapter: AsyncWebSocketAdapter) -> WebSocket:
    return cast(ASGIWebSocketAdapter, adapter).ws


async def refusal(handler: Any, operation_id: str, known: Any) -> GraphQLError | None:
    """Why an operation may not start: over the connection's limit of subscriptions, or over the
    caller's rate limit (each operation counts as a request, as the connection did)."""
    if not handler.connection_acknowledged or operation_id in known:
        return None  # Strawberry's own answer: 4401 before the ack, 4409 for a taken id
    limit = handler.max_subscriptions_per_connection
    if limit is not None and len(known) >= limit:
        return limit_error(limit)
    message = await _gate(handler.view).over_rate_limit(_socket(handler.websocket),
                                                        handler.context)
    return None if message is None else GraphQLError(message,
                                                     extensions={"code": "RATE_LIMITED"})


def watch_credential(handler: Any) -> "CredentialWatch":
    """Start watching an accepted connection's credential: it closes the connection when the
    credential ends."""
    watch = _gate(handler.view).credential_watch(_socket(handler.websocket))
    watch.start(handler.websocket.close)
    return watch


async def stop_tasks(*tasks: "asyncio.Task[None] | None") -> None:
    """Cancel the connection's own tasks and wait for them to end."""
    for task in tasks:
        if task is not None:
            task.cancel()
            with suppress(Exception, asyncio.CancelledError):
                await task


def forget_when_done(context: Context, message: Any) -> None:
    """An operation ended: the connection's loaders forget what they loaded, so that the next
    operation reads afresh (and, as after an HTTP response, the rows die by reference
    counting)."""
    if message.get("type") in ("complete", "error") and "id" in message:
        context.loaders.clear()


def limit_error(limit: int) -> GraphQLError:
    return GraphQLError(
        f"At most {limit} subscriptions may be active on one connection ({LIMIT_SETTING}): "
        f"complete one first, or open another connection.",
        extensions={"code": "TOO_MANY_SUBSCRIPTIONS", "limit": limit})


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """`graphql-transport-ws`, the protocol of the `graphql-ws` client library."""

    ping_task: asyncio.Task[None] | None = None
    watch: "CredentialWatch | None" = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload: Any = message.get("payload") or {}
        if (isinstance(payload, dict) and not self.connection_init_received
                and not self.connection_timed_out):
            try:
                self.context = await _gate(self.view).connection_context(
                    _socket(self.websocket), payload)
            except ConnectionRefused as refused:
                self.connection_init_received = True
                if self.connection_init_timeout_task:
                    self.connection_init_timeout_task.cancel()
                await self.websocket.close(refused.code, refused.reason)
                return
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.ping_task is None:
            self.ping_task = asyncio.create_task(self._ping())
            self.watch = watch_credential(self)

    async def _ping(self) -> None:
        interval = _gate(self.view).keep_alive_interval
        for _ in range(MAX_PINGS):
            await asyncio.sleep(interval)
            await self.send_message({"type": "ping"})
        await self.websocket.close(1001, "The connection is a day old: connect again.")

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if error := await refusal(self, message["id"], self.operations):
            await self.send_message({"id": message["id"], "type": "error",
                                     "payload": [error.formatted]})
            return
        await super().handle_subscribe(message)

    async def send_message(self, message: Any) -> None:
        await super().send_message(message)
        forget_when_done(self.context, message)

    async def handle_complete(self, message: Any) -> None:
        await super().handle_complete(message)
        forget_when_done(self.context, message)

    async def shutdown(self) -> None:
        await stop_tasks(self.ping_task)
        if self.watch is not None:
            await self.watch.stop()
        await super().shutdown()


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """`graphql-ws`, the older protocol of `subscriptions-transport-ws`."""

    watch: "CredentialWatch | None" = None

    async def handle_connection_init(self, message: LegacyInitMessage) -> None:
        payload: Any = message.get("payload") or {}
        if isinstance(payload, dict) and not self.connection_acknowledged:
            try:
                self.context = await _gate(self.view).connection_context(
                    _socket(self.websocket), payload)
            except ConnectionRefused as refused:
                await self.send_message({"type": "connection_error",
                                         "payload": {"message": refused.message}})
                await self.websocket.close(refused.code, refused.reason)
                return
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.watch is None:
            self.watch = watch_credential(self)

    async def cleanup(self) -> None:
        if self.watch is not None:
            await self.watch.stop()
        await super().cleanup()

    async def handle_start(self, message: StartMessage) -> None:
        if error := await refusal(self, message["id"], self.tasks):
            await self.send_message({"type": "error", "id": message["id"],
                                     "payload": error.formatted})
            return
        await super().handle_start(message)

    async def send_message(self, message: Any) -> None:
        await super().send_message(message)
        forget_when_done(self.context, message)
