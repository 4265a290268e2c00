"""Events across replicas: PostgreSQL LISTEN/NOTIFY feeding each replica's local bus.

On PostgreSQL the transaction that writes events also runs ``pg_notify`` on
:data:`CHANNEL` (:func:`notify`), so the announcement is delivered at its commit and
never for a rollback. The payload is small (``{"s": shop id, "e": [event ids]}``,
well under PostgreSQL's 8000-byte limit); the events themselves stay in
``case_events``. Every replica keeps one dedicated connection LISTENing
(:class:`EventListener`); for a shop with an open subscription on this replica it
reads the announced events and hands them to :mod:`service.events.bus`, which scopes
them to the subscribers of that shop.

Nothing here runs on a request's path: the notification callback only queues ids,
and a lost connection is reconnected with jittered exponential backoff, after which
the events committed meanwhile (ids above the last seen, for the subscribed shops)
are read and published once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from service.db.models import CaseEvent
from service.events import bus

log = logging.getLogger(__name__)

CHANNEL = "aftersales_events"
# Ids per notification: 200 ids of up to 19 digits stay far below 8000 bytes.
IDS_PER_NOTICE = 200
# After a reconnect, at most this many missed events are read back.
CATCH_UP_LIMIT = 1000
_SEEN_MAX = 10_000
_MAX_ID = "SELECT coalesce(max(id), 0) FROM case_events"


def notify(session: Session, events: Sequence[tuple[int, int]]) -> None:
    """Announce ``(event id, shop id)`` pairs at the session's commit."""
    by_shop: dict[int, list[int]] = {}
    for event_id, shop_id in events:
        by_shop.setdefault(shop_id, []).append(event_id)
    notices = [
        orjson.dumps({"s": shop, "e": ids[i : i + IDS_PER_NOTICE]}).decode()
        for shop, ids in by_shop.items()
        for i in range(0, len(ids), IDS_PER_NOTICE)
    ]
    session.execute(
        text("SELECT pg_notify(:channel, p) FROM unnest(CAST(:notices AS text[])) AS p"),
        {"channel": CHANNEL, "notices": notices},
    )


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The plain ``postgresql://`` DSN asyncpg takes for a SQLAlchemy URL."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class EventListener:
    """One replica's LISTEN connection and the task publishing what it hears."""

    def __init__(
        self,
        dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        backoff_s: float = 0.5,
        backoff_max_s: float = 30.0,
        ping_s: float = 30.0,
    ) -> None:
        self.dsn = dsn
        self.sessionmaker = sessionmaker
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.ping_s = ping_s
        self.connected = asyncio.Event()
        self.backend_pid: int | None = None
        self._announced: asyncio.Queue[tuple[int, list[int]]] = asyncio.Queue()
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._last_id: int | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._tasks = [
            asyncio.create_task(self._listen_forever()),
            asyncio.create_task(self._publish_forever()),
        ]

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def _on_notice(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            notice = orjson.loads(payload)
            shop, ids = int(notice["s"]), [int(i) for i in notice["e"]]
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("ignoring a malformed event notice")
            return
        if ids:
            self._last_id = max(self._last_id or 0, *ids)
        if bus.has_subscribers(shop, self.loop):
            self._announced.put_nowait((shop, ids))

    async def _listen_forever(self) -> None:
        delay = self.backoff_s
        while not self._stop.is_set():
            try:
                if await self._listen_once():
                    delay = self.backoff_s
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: reconnect later, the app goes on
                log.warning("event listener connection failed: %s", type(exc).__name__)
            if self._stop.is_set():
                return
            # Full jitter: replicas dropped together do not reconnect together.
            await asyncio.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, self.backoff_max_s)

    async def _listen_once(self) -> bool:
        """Listen until the connection is lost; whether it was established."""
        conn = await asyncpg.connect(self.dsn, timeout=10)
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _c: lost.set())
            await conn.add_listener(CHANNEL, self._on_notice)
            self.backend_pid = conn.get_server_pid()
            if self._last_id is None:
                # The starting point of a later read-back, even if nothing is heard
                # before the connection drops.
                self._last_id = int(await conn.fetchval(_MAX_ID, timeout=10))
                self.connected.set()
            else:
                self.connected.set()
                await self._catch_up()
            await self._hold(conn, lost)
            return True
        finally:
            self.connected.clear()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)

    async def _hold(self, conn: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Return when the connection is gone; a ping finds one that died silently."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self.ping_s)
            if lost.is_set() or conn.is_closed():
                return
            await conn.execute("SELECT 1", timeout=10)

    async def _catch_up(self) -> None:
        shops = bus.subscribed_shops(self.loop)
        if not shops or self._last_id is None:
            return
        stmt = (
            select(CaseEvent.id, CaseEvent.shop_id, CaseEvent.payload)
            .where(CaseEvent.id > self._last_id, CaseEvent.shop_id.in_(shops))
            .order_by(CaseEvent.id)
            .limit(CATCH_UP_LIMIT)
        )
        async with self.sessionmaker() as session:
            rows = (await session.execute(stmt)).all()
        self._publish(rows)

    async def _publish_forever(self) -> None:
        while True:
            shop, ids = await self._announced.get()
            try:
                stmt = (
                    select(CaseEvent.id, CaseEvent.shop_id, CaseEvent.payload)
                    .where(CaseEvent.id.in_(ids), CaseEvent.shop_id == shop)
                    .order_by(CaseEvent.id)
                )
                async with self.sessionmaker() as session:
                    rows = (await session.execute(stmt)).all()
                self._publish(rows)
            except asyncio.CancelledError:
                raise
            except Exception:  # a dashboard misses an event; the loop must go on
                log.exception("reading announced events failed")

    def _publish(self, rows: Sequence[Any]) -> None:
        fresh = []
        for row in rows:
            if row.id in self._seen:
                continue
            self._seen[row.id] = None
            fresh.append({"shop_id": row.shop_id, "payload": row.payload})
            self._last_id = max(self._last_id or 0, row.id)
        while len(self._seen) > _SEEN_MAX:
            self._seen.popitem(last=False)
        if fresh:
            bus.publish(fresh, self.loop)


# One listener per database and event loop (two apps on one loop and database share
# it, so a subscriber is not handed the same event twice; each serves its own loop).
_shared: dict[tuple[str, int], tuple[EventListener, int]] = {}


def acquire(database_url: str, sessionmaker: async_sessionmaker[AsyncSession]) -> EventListener:
    """This process's listener for the database, started on first use."""
    key = (asyncpg_dsn(database_url), id(asyncio.get_running_loop()))
    entry = _shared.get(key)
    if entry is None:
        listener = EventListener(key[0], sessionmaker)
        listener.start()
        _shared[key] = (listener, 1)
        return listener
    _shared[key] = (entry[0], entry[1] + 1)
    return entry[0]


async def release(listener: EventListener) -> None:
    """Give back a listener from :func:`acquire`; the last user stops it."""
    key = (listener.dsn, id(asyncio.get_running_loop()))
    entry = _shared.get(key)
    if entry is None or entry[0] is not listener:
        return
    if entry[1] > 1:
        _shared[key] = (listener, entry[1] - 1)
        return
    del _shared[key]
    await listener.stop()
