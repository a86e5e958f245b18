"""Signed download links: `<job>.<organization>.<expiry>.<HMAC-SHA256>`.

The token is all a browser sends (no Authorization header): it names the job and the
organization that asked, and the signature stops anyone from changing either or the expiry.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime


class AlteredLink(Exception):
    """The token was not signed by us, or was changed: 403."""


class ExpiredLink(Exception):
    """A genuine token past its expiry: 410."""


@dataclass(frozen=True, slots=True)
class LinkTarget:
    job_id: int
    organization_id: int
    expires_at: datetime


def sign(secret: bytes, job_id: int, organization_id: int, expires_at: datetime) -> str:
    payload = f"{job_id}.{organization_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{_mac(secret, payload)}"


def verify(secret: bytes, token: str, now: datetime) -> LinkTarget:
    payload, _, mac = token.rpartition(".")
    if not payload or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise AlteredLink("This download link is not valid.")
    job, organization, expiry = (int(part) for part in payload.split("."))
    expires_at = datetime.fromtimestamp(expiry, UTC)
    if now >= expires_at:
        raise ExpiredLink("This download link has expired; export again.")
    return LinkTarget(job, organization, expires_at)


def _mac(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
