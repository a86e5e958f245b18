"""The real app under uvicorn on 127.0.0.1 (`LiveServer`), and a `websockets` client that
speaks `graphql-transport-ws` or `graphql-ws` to it (`Connection`), for the subscription tests.

Every wait is bounded: a message that does not come within `WAIT_SECONDS` fails the test.
"""

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.storage import LocalStorage, Storage

from services import free_port

WAIT_SECONDS = 10.0
MAX_MESSAGES = 200  # more than any test expects before what it waits for
TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
KEEP_ALIVE = {"ping", "pong", "ka"}


class GatedStorage:
    """The export folder, whose `put` waits while the gate is closed: a test sees the job
    RUNNING before it lets the runner finish."""

    def __init__(self, folder: Path) -> None:
        self.inner: Storage = LocalStorage(folder)
        self.gate = asyncio.Event()
        self.gate.set()

    async def put(self, key: str, local: Path, content_type: str, file_name: str) -> None:
        await asyncio.wait_for(self.gate.wait(), WAIT_SECONDS)
        await self.inner.put(key, local, content_type, file_name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class LiveServer:
    app: Starlette
    port: int
    storage: GatedStorage
    server: uvicorn.Server = field(repr=False)
    task: "asyncio.Task[None]" = field(repr=False)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    async def start(cls, app: Starlette, folder: Path) -> "LiveServer":
        storage = GatedStorage(folder)
        app.state.exports.storage = storage
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               lifespan="on", log_level="warning",
                                               ws="websockets-sansio"))
        task = asyncio.create_task(server.serve())
        for _ in range(200):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        failure = task.exception() if task.done() else "it did not answer"
        assert server.started, f"uvicorn did not start: {failure}"
        return cls(app, port, storage, server, task)

    async def stop(self) -> None:
        self.storage.gate.set()
        self.server.should_exit = True
        await asyncio.wait_for(self.task, WAIT_SECONDS)


class Closed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass
class Connection:
    socket: ClientConnection
    protocol: str
    received: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    async def open(cls, url: str, protocol: str = TRANSPORT_WS,
                   headers: dict[str, str] | None = None) -> "Connection":
        socket = await connect(url, subprotocols=[protocol],  # type: ignore[list-item]
                               additional_headers=headers, open_timeout=WAIT_SECONDS)
        return cls(socket, protocol)

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def init(self, payload: dict[str, Any] | None) -> dict[str, Any]:
        """Send `connection_init` and return the answer (`connection_ack`), or raise `Closed`."""
        await self.send({"type": "connection_init", "payload": payload})
        return await self.next_message()

    async def next_message(self) -> dict[str, Any]:
        """The next message other than keep-alives; `Closed` when the server closes."""
        for _ in range(MAX_MESSAGES):
            try:
                text = await asyncio.wait_for(self.socket.recv(), WAIT_SECONDS)
            except ConnectionClosed:
                raise Closed(self.socket.close_code, self.socket.close_reason or "") from None
            message: dict[str, Any] = json.loads(text)
            self.received.append(message)
            if message["type"] == "ping":
                await self.send({"type": "pong"})
            if message["type"] not in KEEP_ALIVE:
                return message
        raise AssertionError(f"only keep-alives in {MAX_MESSAGES} messages")

    async def closed(self) -> Closed:
        """Wait for the server to close; what it said before is in `received`."""
        for _ in range(MAX_MESSAGES):
            try:
                await self.next_message()
            except Closed as closed:
                return closed
        raise AssertionError(f"expected the connection to close: {self.received}")

    async def subscribe(self, operation_id: str, query: str,
                        variables: dict[str, Any] | None = None) -> None:
        start = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        await self.send({"id": operation_id, "type": start,
                         "payload": {"query": query, "variables": variables or {}}})

    async def results(self, operation_id: str) -> list[dict[str, Any]]:
        """Every message of one operation until it completes or fails."""
        found = []
        for _ in range(MAX_MESSAGES):
            message = await self.next_message()
            if message.get("id") != operation_id:
                continue
            found.append(message)
            if message["type"] in ("complete", "error"):
                return found
        raise AssertionError(f"operation {operation_id} did not end: {found}")

    async def close(self) -> None:
        await self.socket.close()
