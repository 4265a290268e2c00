"""Keeping the stored case states current as time passes.

States go stale at their ``stale_at`` (a deadline or rule boundary passed) or when a
release brings other rules (``rules_version``). The refresher takes stale rows in
batches and recomputes their orders. On PostgreSQL the batch is claimed with
``FOR UPDATE SKIP LOCKED``, so replicas and CronJobs share the work without doing a
row twice; a refresher that dies mid-batch rolls back and the rows, still stale, are
taken again. Reads do not wait for it: they recompute the stale rows they meet
(:func:`refresh_stale`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from service.db.engine import begin_write
from service.db.errors import is_transient_conflict
from service.db.models import CaseState, Order
from service.store import case_state

log = logging.getLogger(__name__)

BATCH = 1000

T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def claim(session: Session, now: datetime, limit: int, outdated: bool) -> list[int]:
    """Lock up to ``limit`` stale orders no one else holds; their ids.

    An order is claimed through its own state row only. Its rows share ``stale_at`` and
    rules version, so that row is stale when any is; claiming refund rows too let two
    refreshers take one order's order row and refund row each, then wait on each
    other's lock when both recomputed the whole order (a deadlock PostgreSQL resolves
    by failing one batch).

    ``outdated``: orders computed by other rules instead of orders past their stale_at.
    """
    cond = (
        CaseState.rules_version != case_state.RULES_VERSION
        if outdated
        else CaseState.stale_at <= now
    )
    stmt = select(CaseState.order_id).where(cond, CaseState.kind == case_state.ORDER).limit(limit)
    if not outdated:
        stmt = stmt.order_by(CaseState.stale_at)
    rows = session.execute(stmt.with_for_update(skip_locked=True)).scalars().all()
    return sorted(set(rows))


@dataclass
class Refresher:
    """Recomputes stale states in batches; one instance per process."""

    sessionmaker: async_sessionmaker[AsyncSession]
    batch: int = BATCH
    clock: Callable[[], datetime] = _utcnow
    # Until a pass finds none, assume a release left rows of older rules behind.
    outdated: bool = True
    processed: list[int] = field(default_factory=list, repr=False)
    keep_ids: bool = False
    # Batches in flight at once (PostgreSQL only: SKIP LOCKED gives each its own rows).
    # A batch spends about a quarter of its time waiting for the database; a second
    # one computes meanwhile.
    lanes: int = 1

    async def run_batch(self) -> int:
        """One batch in one transaction; the number of orders recomputed."""
        outdated = self.outdated
        n = await self._batch(outdated)
        if outdated and not n:
            self.outdated = False
        return n

    async def _batch(self, outdated: bool) -> int:
        async with self.sessionmaker() as session:
            await begin_write(session)
            now = self.clock()

            def work(s: Session) -> list[int]:
                ids = claim(s, now, self.batch, outdated)
                return case_state.refresh_orders(s, ids, now, lock="skip") if ids else []

            done = await session.run_sync(work)
            await session.commit()
        if self.keep_ids:
            self.processed += done
        return len(done)

    async def _lane(self, outdated: bool) -> int:
        total = 0
        while n := await self._batch(outdated):
            total += n
        return total

    async def run_once(self) -> int:
        """Batches until nothing stale is left; the number of orders recomputed."""
        total = 0
        while True:
            outdated = self.outdated
            lanes = await _together([self._lane(outdated) for _ in range(self.lanes)])
            total += sum(lanes)
            if not outdated:
                return total
            # The outdated pass is over (every lane found none); now the time-stale rows.
            self.outdated = False

    async def run_forever(self, interval_s: float) -> None:
        """The server's background task: a pass every ``interval_s`` seconds."""
        while True:
            try:
                n = await self.run_once()
                if n:
                    log.info("case states refreshed", extra={"orders": n})
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad pass must not end the task; the rows stay stale
                log.exception("case state refresh failed")
            await asyncio.sleep(interval_s)


async def _together(lanes: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Run the lanes at once; when one fails, cancel the others (each rolls its batch
    back) before raising its error, so that no lane outlives its pass."""
    tasks = [asyncio.ensure_future(lane) for lane in lanes]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def refresh_all(
    sessionmaker: async_sessionmaker[AsyncSession],
    progress: Callable[[int, int, float], None] | None = None,
    batch: int = 2000,
    clock: Callable[[], datetime] = _utcnow,
    lanes: int = 1,
) -> int:
    """Recompute every order of every shop (after a bulk load by SQL); calls
    ``progress(done, total, seconds)`` after each batch. Returns the orders done.

    ``lanes`` batches are in flight at once, each on its own range of ids (see
    :attr:`Refresher.lanes`)."""
    async with sessionmaker() as session:
        total = int((await session.execute(select(func.count()).select_from(Order))).scalar_one())
    done = 0
    last = 0
    started = time.monotonic()
    # One lane at a time takes the next range, so the ranges never overlap.
    taking = asyncio.Lock()

    async def next_ids() -> list[int]:
        nonlocal last
        async with taking, sessionmaker() as session:
            stmt = select(Order.id).where(Order.id > last).order_by(Order.id).limit(batch)
            ids = list((await session.execute(stmt)).scalars())
        if ids:
            last = ids[-1]
        return ids

    async def lane() -> None:
        nonlocal done
        while ids := await next_ids():
            async with sessionmaker() as session:
                await begin_write(session)
                await session.run_sync(case_state.refresh_orders, ids, clock())
                await session.commit()
            done += len(ids)
            if progress is not None:
                progress(done, total, time.monotonic() - started)

    await _together([lane() for _ in range(lanes)])
    async with sessionmaker() as session:
        await _vacuum_states(session)
    return done


async def _vacuum_states(session: AsyncSession) -> None:
    """Vacuum the table a full pass has just filled or rewritten, and give the planner
    fresh statistics, as autovacuum would some time later.

    Until then PostgreSQL plans with what it knew before the pass: for a table filled
    from empty, a handful of pages (a decision-filtered page of a million-order shop
    once ran for more than 30 s). A rewrite also leaves every row's old version behind
    and no page marked all-visible, so the lists' walk of ``ix_case_states_list``
    visits the table for every entry it reads, and PostgreSQL prices it so.
    """
    if session.get_bind().dialect.name == "postgresql":
        # VACUUM runs outside a transaction block.
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        await session.execute(text("VACUUM (ANALYZE) case_states"))


# A read that meets stale states recomputes them before answering; PostgreSQL may fail
# that work to break a deadlock with the refresher or a policy change, and a read has no
# CONFLICT to answer, so it tries again (a third loss is a real fault, and is raised).
READ_REFRESH_ATTEMPTS = 3


async def refresh_stale(session: AsyncSession, shop_id: int, now: datetime) -> int:
    """Recompute the shop's rows that are not exact at ``now``, in the caller's
    transaction, before it reads them; the number of orders recomputed.

    On PostgreSQL the work runs in a savepoint: when it loses a deadlock (or a
    serialization conflict) only the savepoint is rolled back, its locks go with it,
    and the stale rows are found and recomputed again.
    """
    for attempt in range(1, READ_REFRESH_ATTEMPTS + 1):
        ids = await session.run_sync(case_state.stale_orders, shop_id, now)
        if not ids:
            return 0
        await begin_write(session)
        if session.get_bind().dialect.name == "sqlite":
            # One writer at a time: nothing to lose a deadlock to.
            await session.run_sync(case_state.refresh_orders, ids, now)
            return len(ids)
        try:
            async with session.begin_nested():
                await session.run_sync(case_state.refresh_orders, ids, now)
        except DBAPIError as exc:
            if attempt == READ_REFRESH_ATTEMPTS or not is_transient_conflict(exc):
                raise
            log.warning("refreshing stale states lost a deadlock; trying again", exc_info=exc)
            continue
        return len(ids)
    raise AssertionError("unreachable: the last attempt returns or raises")
