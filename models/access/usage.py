"""`last_used_at` of credentials (API keys, sign-in sessions), written at most once a minute.

Writing it on every request would turn every read into a write on the credential's row; a
minute is precise enough to tell an unused key from a busy one.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.base import utcnow

WRITE_INTERVAL = timedelta(minutes=1)


def is_stale(last_used_at: datetime | None, now: datetime | None = None) -> bool:
    """True when `last_used_at` is old enough to be written again."""
    return last_used_at is None or last_used_at <= (now or utcnow()) - WRITE_INTERVAL


async def record_use(session: AsyncSession, table: Any, row_id: int) -> bool:
    """Set `table.last_used_at` to now unless another process did within the interval (the
    condition is in the UPDATE, so that processes racing write once). True when written."""
    now = utcnow()
    result = await session.execute(
        update(table)
        .where(table.id == row_id,
               or_(table.last_used_at.is_(None), table.last_used_at <= now - WRITE_INTERVAL))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]
