"""No subscriptions yet: a WebSocket to /graphql is refused, whatever protocol or key it offers,
so that nothing reaches the schema around the HTTP authentication and rate limit (the route
takes HTTP only; this guards it until subscriptions come with their own authentication)."""

from typing import Any

import pytest

from factories import OrgFixture


async def websocket_attempt(app: Any, protocols: list[str], headers: list[tuple[bytes, bytes]]
                            ) -> list[dict[str, Any]]:
    """What the app sends to a client that opens a WebSocket and then says a query."""
    incoming = [{"type": "websocket.connect"},
                {"type": "websocket.receive",
                 "text": '{"type": "connection_init", "payload": {}}'},
                {"type": "websocket.receive",
                 "text": '{"id": "1", "type": "subscribe", '
                         '"payload": {"query": "{ customers { totalCount } }"}}'}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/graphql", "raw_path": b"/graphql",
             "query_string": b"", "headers": headers, "subprotocols": protocols,
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "scheme": "ws",
             "root_path": "", "asgi": {"version": "3.0"}}
    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_a_websocket_is_refused_even_with_a_key(app: Any, org: OrgFixture,
                                                      protocol: str) -> None:
    sent = await websocket_attempt(
        app, [protocol], [(b"authorization", f"Bearer {org.api_key}".encode())])
    assert sent, "the app said nothing"
    assert not any(m["type"] == "websocket.accept" for m in sent)
    assert not any("totalCount" in str(m) for m in sent)
    assert sent[-1]["type"] in ("websocket.close", "websocket.http.response.start")
