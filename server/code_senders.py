"""Where one-time sign-in codes go, chosen by the URL in `CUSTOMERHUB_CODE_SENDER`:

- `log://` (the default, for development): the code goes to the log, at WARNING so that it shows
  without any logging set up, with the phone or email masked.
- `http://...` or `https://...`: the code is POSTed as JSON (`organization`, `channel`: `sms` or
  `email`, then `phone` or `email`, `code`, `expiresAt`) to that URL: a bridge to the merchant's
  SMS gateway and mail service, which must answer 2xx.

A destination with `@` is an email (models/access/codes.py keys codes by either).
"""

import asyncio
import json
import logging
import urllib.request
from datetime import datetime
from urllib.parse import urlsplit

from models.access.codes import is_email
from resolvers.context import CodeSender

log = logging.getLogger("customerhub.codes")
SHOWN_DIGITS = 3
TIMEOUT_SECONDS = 10.0


class LogCodeSender:
    """Logs codes instead of sending them."""

    async def send_code(self, organization: str, destination: str, code: str,
                        expires_at: datetime) -> None:
        log.warning("sign-in code for %s in %s: %s (valid until %s; CUSTOMERHUB_CODE_SENDER is "
                    "log://, nothing was sent)", mask(destination), organization, code,
                    expires_at.isoformat(timespec="seconds"))


class WebhookCodeSender:
    """POSTs each code to one URL as JSON."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def send_code(self, organization: str, destination: str, code: str,
                        expires_at: datetime) -> None:
        channel, key = ("email", "email") if is_email(destination) else ("sms", "phone")
        body = json.dumps({"organization": organization, "channel": channel, key: destination,
                           "code": code, "expiresAt": expires_at.isoformat()}).encode()
        await asyncio.to_thread(self._post, body)

    def _post(self, body: bytes) -> None:
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()


def code_sender(url: str) -> CodeSender:
    """The sender a `CUSTOMERHUB_CODE_SENDER` URL names."""
    scheme = urlsplit(url).scheme
    if scheme == "log":
        return LogCodeSender()
    if scheme in ("http", "https"):
        return WebhookCodeSender(url)
    raise ValueError(f"CUSTOMERHUB_CODE_SENDER={url!r}: use log:// or an http(s):// URL")


def mask(destination: str) -> str:
    return mask_email(destination) if is_email(destination) else mask_phone(destination)


def mask_email(email: str) -> str:
    """`maria.garcia@example.com` -> `m***@example.com`."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(phone_e164: str) -> str:
    """`+34612345678` -> `+34******678`: enough to tell numbers apart in a log, no more."""
    head = phone_e164[:3] if phone_e164.startswith("+") else ""
    hidden = len(phone_e164) - len(head) - SHOWN_DIGITS
    return head + "*" * max(hidden, 0) + phone_e164[-SHOWN_DIGITS:]
