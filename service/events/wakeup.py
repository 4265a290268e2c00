"""Waking idle delivery loops when deliveries are written, instead of letting them
sleep out their poll interval.

:func:`note_written` runs in the transaction that writes deliveries: on PostgreSQL it
adds a ``NOTIFY`` (sent by the server at commit, dropped on rollback) that every
worker process LISTENs to; in every case it wakes this process's loops after the
commit. The poll interval stays as the fallback (a lost listener connection, retries
coming due)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

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
async def waker(engine: AsyncEngine | None) -> AsyncIterator[asyncio.Event]:
    """An event set whenever deliveries are committed: by this process, or (on
    PostgreSQL, through LISTEN on one held connection) by any other."""
    ev = asyncio.Event()
    with _registered(ev):
        if engine is None or engine.dialect.name != "postgresql":
            yield ev
            return
        try:
            conn = await engine.connect()
        except Exception:  # the poll interval still works without the listener
            log.warning("no LISTEN connection; delivery polls only", exc_info=True)
            yield ev
            return
        try:
            raw = (await conn.get_raw_connection()).driver_connection
            listener = lambda *_: ev.set()  # noqa: E731
            await raw.add_listener(CHANNEL, listener)  # type: ignore[union-attr]
            yield ev
        finally:
            await conn.close()


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
