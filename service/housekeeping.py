"""Background upkeep a replica does while it serves: purging expired Idempotency-Keys.

Every replica purges; the deletes are small batches of rows already expired, so two
replicas doing it at once only race for the same rows, harmlessly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.store.idempotency import PURGE_BATCH, purge_expired

log = logging.getLogger(__name__)


async def purge_once(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Delete every expired key, a batch per transaction; the number deleted."""
    total = 0
    while True:
        async with sessionmaker() as session:
            deleted = await purge_expired(session, datetime.now(UTC))
            await session.commit()
        total += deleted
        if deleted < PURGE_BATCH:
            return total


async def _purge_forever(sessionmaker: async_sessionmaker[AsyncSession], interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            deleted = await purge_once(sessionmaker)
        except Exception as exc:  # the database may be away for a while: try next time
            log.warning("purging expired idempotency keys failed: %s", type(exc).__name__)
            continue
        if deleted:
            log.info("purged %d expired idempotency keys", deleted)


def start_purging(
    sessionmaker: async_sessionmaker[AsyncSession], interval_s: float
) -> asyncio.Task[None] | None:
    if interval_s <= 0:
        return None
    return asyncio.create_task(_purge_forever(sessionmaker, interval_s), name="purge-idempotency")


async def stop_purging(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
