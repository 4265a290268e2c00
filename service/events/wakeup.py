"""Waking idle delivery loops when deliveries are written, instead of letting them
sleep out their poll interval.

:func:`note_written` runs in the transaction that writes deliveries: on PostgreSQL it
adds a ``NOTIFY`` (sent by the server at commit, dropped on rollback) that every
worker process LISTENs to; in every case it wakes this process's loops after the
commit. A lost LISTEN connection is reconnected with jittered backoff; the poll interval
stays as the fallback meanwhile, and for retries coming due."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "aftersales_deliveries"
_FLAG = "events.wake"
_waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def note_written(session: Session) -> None:
    """Deliveries were written in this session's transaction: wake loops at commit."""
    if session.get_bind().dialect.name == "postgresql" and not session.info.get(_FLAG):
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    session.info[_FLAG] = True


def wake_local() -> None:
    for loop, ev in list(_waiting):
        loop.call_soon_threadsafe(ev.set)


@contextlib.contextmanager
def _registered(ev: asyncio.Event) -> Any:
    entry = (asyncio.get_running_loop(), ev)
    _waiting.add(entry)
    try:
        yield ev
    finally:
        _waiting.discard(entry)


@contextlib.asynccontextmanager
async def waker(
    engine: AsyncEngine | None,
    *,
    backoff_s: float = 0.5,
    backoff_max_s: float = 30.0,
    ping_s: float = 30.0,
) -> AsyncIterator[asyncio.Event]:
    """An event set whenever deliveries are committed: by this process, or (on
    PostgreSQL, through LISTEN on a connection of its own, reconnected when lost) by
    any other."""
    ev = asyncio.Event()
    with _registered(ev):
        if engine is None or engine.dialect.name != "postgresql":
            yield ev
            return
        dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        task = asyncio.create_task(_listen_forever(dsn, ev, backoff_s, backoff_max_s, ping_s))
        try:
            yield ev
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _listen_forever(
    dsn: str, ev: asyncio.Event, backoff_s: float, backoff_max_s: float, ping_s: float
) -> None:
    delay = backoff_s
    while True:
        try:
            await _listen_once(dsn, ev, ping_s)
            delay = backoff_s
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the poll interval still works meanwhile
            log.warning("delivery LISTEN connection failed: %s", type(exc).__name__)
        # Full jitter: workers dropped together do not reconnect together.
        await asyncio.sleep(random.uniform(delay / 2, delay))
        delay = min(delay * 2, backoff_max_s)


async def _listen_once(dsn: str, ev: asyncio.Event, ping_s: float) -> None:
    """LISTEN until the connection is lost (a ping finds one that died silently)."""
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _c: lost.set())
        await conn.add_listener(CHANNEL, lambda *_: ev.set())
        # Notices sent while no connection listened are gone: one pass finds their rows.
        ev.set()
        while not conn.is_closed():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), ping_s)
            if lost.is_set():
                return
            await conn.execute("SELECT 1", timeout=10)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.close(), 5)


def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, None):
        wake_local()


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


def install() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


install()
