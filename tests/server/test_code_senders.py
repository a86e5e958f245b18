"""Where sign-in codes go: the log (phone masked) or a webhook, chosen by a URL."""

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from server.code_senders import LogCodeSender, WebhookCodeSender, code_sender, mask_phone

EXPIRES = datetime(2026, 11, 23, 12, 10, tzinfo=UTC)


def test_the_url_chooses_the_sender() -> None:
    assert isinstance(code_sender("log://"), LogCodeSender)
    assert isinstance(code_sender("https://sms.example/hook"), WebhookCodeSender)
    with pytest.raises(ValueError, match="log:// or an http"):
        code_sender("smtp://mail.example")


@pytest.mark.parametrize(("phone", "masked"), [
    ("+34612345678", "+34******678"), ("+12025550123", "+12******123"), ("612", "612")])
def test_phones_are_masked_but_for_their_last_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


async def test_the_log_sender_masks_an_email(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="customerhub.codes"):
        await LogCodeSender().send_code("demo", "maria.garcia@example.com", "493817", EXPIRES)
    message = caplog.records[-1].getMessage()
    assert "493817" in message
    assert "m***@example.com" in message
    assert "maria.garcia" not in message


async def test_the_log_sender_logs_the_code_and_a_masked_phone(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="customerhub.codes"):
        await LogCodeSender().send_code("demo", "+34612345678", "493817", EXPIRES)
    message = caplog.records[-1].getMessage()
    assert "493817" in message
    assert "+34******678" in message
    assert "612345678" not in message


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/codes", received
    server.shutdown()
    server.server_close()
    thread.join()


async def test_the_webhook_sender_posts_json(webhook: tuple[str, list[dict[str, Any]]]
                                             ) -> None:
    url, received = webhook
    await code_sender(url).send_code("demo", "+34612345678", "493817", EXPIRES)
    await code_sender(url).send_code("demo", "ana@example.com", "112233", EXPIRES)
    assert received == [
        {"organization": "demo", "channel": "sms", "phone": "+34612345678", "code": "493817",
         "expiresAt": "2026-11-23T12:10:00+00:00"},
        {"organization": "demo", "channel": "email", "email": "ana@example.com",
         "code": "112233", "expiresAt": "2026-11-23T12:10:00+00:00"}]
