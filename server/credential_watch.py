"""A subscriptions connection ends when its credential does (`CredentialWatch`).

`connection_init` checks the credential once; then one task per accepted connection closes it
with 4401 and a reason that says what happened:

- when its access token expires: the task sleeps until that very moment (`Identity.expires_at`);
- when the credential no longer resolves (a revoked or deleted API key, a session ended by
  `signOut` or a refresh, a disabled staff user): the task checks it again with the
  Authenticator every `CUSTOMERHUB_SUBSCRIPTION_RECHECK_SECONDS`, and at once when a write in this
  process drops it from the Authenticator's cache (`Authenticator.on_forget`). A revocation by
  another process (or the CLI) is seen within that period and the Authenticator's few seconds
  of cache (`server.auth.CACHE_SECONDS`).

Nothing is refreshed mid-connection: a staff user's new role or stores apply to their next
connection. A database that does not answer keeps the connection as it is until the next check.
The task's loop is bounded (`MAX_CHECKS`), and the handler stops it when the connection ends.
"""

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from contextlib import suppress

from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocketDisconnect

from models.core.base import utcnow
from server.auth import AuthenticationError, Authenticator, Identity
from server.subscriptions import UNAUTHENTICATED

GOING_AWAY = 1001
EXPIRED = ("The access token expired: refresh it with `refreshToken`, then connect again with "
           "the new one.")
KEY_REVOKED = "This API key has been revoked or deleted: connect again with a valid key."
SESSION_ENDED = ("This sign-in has ended (signed out, refreshed, or the user disabled): sign in "
                 "again, or connect with a current token.")
TOO_OLD = "The connection has been checked too many times: connect again."
MAX_CHECKS = 1_000_000  # a year at the default period; then the client reconnects
MIN_RECHECK_SECONDS = 0.05
TASK_NAME = "credential-watch"

Close = Callable[[int, str], Awaitable[None]]
log = logging.getLogger(__name__)


class CredentialWatch:
    """Watches the credential of one connection (`start`), and closes the connection with
    `close(code, reason)` once the credential ends; `stop` when the connection ended first."""

    def __init__(self, authenticator: Authenticator, authorization: str, identity: Identity,
                 recheck_seconds: float) -> None:
        self._authenticator = authenticator
        self._authorization = authorization
        self._identity = identity
        self._recheck_seconds = max(recheck_seconds, MIN_RECHECK_SECONDS)
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stop_listening: Callable[[], None] = lambda: None

    def start(self, close: Close) -> None:
        """Listen for this process's writes to the credential from now on, and start the task."""
        if self._task is None:
            self._stop_listening = self._authenticator.on_forget(self._identity,
                                                                 self._woken.set)
            self._task = asyncio.create_task(self._run(close), name=TASK_NAME)

    async def stop(self) -> None:
        """Cancel the task and wait for it: nothing of the connection is left running."""
        self._stop_listening()
        if self._task is None or self._task is asyncio.current_task():
            return
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("the watch over a subscriptions connection's credential failed")

    async def _run(self, close: Close) -> None:
        try:
            code, reason = await self._ending()
        finally:
            self._stop_listening()
        with suppress(RuntimeError, OSError, WebSocketDisconnect):  # the client left meanwhile
            await close(code, reason)

    async def _ending(self) -> tuple[int, str]:
        """Wait until the credential ends: the close code and reason to send."""
        for _ in range(MAX_CHECKS):
            left = self._seconds_left()
            if left <= 0:
                return UNAUTHENTICATED, EXPIRED
            await self._wait(min(self._recheck_seconds, left))
            if self._seconds_left() > 0 and (ended := await self._recheck()) is not None:
                return ended
        return GOING_AWAY, TOO_OLD

    def _seconds_left(self) -> float:
        expires_at = self._identity.expires_at
        return math.inf if expires_at is None else (expires_at - utcnow()).total_seconds()

    async def _wait(self, seconds: float) -> None:
        """Sleep `seconds`, or less when a write in this process drops the credential."""
        with suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._woken.wait()
        self._woken.clear()

    async def _recheck(self) -> tuple[int, str] | None:
        try:
            await self._authenticator.identify(self._authorization)
        except AuthenticationError:
            if self._seconds_left() <= 0:
                return UNAUTHENTICATED, EXPIRED
            ended = KEY_REVOKED if self._identity.api_key_id is not None else SESSION_ENDED
            return UNAUTHENTICATED, ended
        except (SQLAlchemyError, OSError) as error:
            log.warning("could not check a subscriptions connection's credential again: %s",
                        error)
        return None
