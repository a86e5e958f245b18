"""Deleting what can no longer be used, for every organization, at start-up and then hourly:
sign-in sessions that ended a week ago (with their retired refresh tokens) and spent sign-in
codes. Expired export files have their own sweep (server/exports.py)."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from models.access.codes import purge_spent
from models.access.sessions import purge_finished
from models.core.base import utcnow
from server.db import Database

log = logging.getLogger("customerhub.housekeeping")

EVERY_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Swept:
    sessions: int
    codes: int


class Housekeeping:
    def __init__(self, database: Database, every_seconds: float = EVERY_SECONDS) -> None:
        self.database = database
        self.every_seconds = every_seconds
        self._task: asyncio.Task[None] | None = None

    async def sweep(self, now: datetime | None = None) -> Swept:
        now = now or utcnow()
        async with self.database.admin_session() as session:
            swept = Swept(sessions=await purge_finished(session, now),
                          codes=await purge_spent(session, now))
            await session.commit()
        if swept.sessions or swept.codes:
            log.info("deleted %d ended sign-in sessions and %d spent sign-in codes",
                     swept.sessions, swept.codes)
        return swept

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # a failed sweep is retried at the next turn
                log.exception("housekeeping sweep failed")
            await asyncio.sleep(self.every_seconds)
