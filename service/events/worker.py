"""The worker: delivers webhooks and refreshes stale case states, in a loop.

``aftersales worker`` runs it as its own process (as many as needed: they share the
outbox through ``FOR UPDATE SKIP LOCKED``); ``aftersales serve`` runs the same loop
in-process unless ``AFTERSALES_DELIVER_INTERVAL_S=0``. A small HTTP listener answers
``/healthz`` (200 while passes keep completing) for the orchestrator's probes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from service import gc_tuning
from service.config import Settings
from service.events import wakeup
from service.events.delivery import Deliverer
from service.store.refresher import Refresher

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Worker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Callable[[], datetime] = _utcnow,
        refresh: bool = True,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.deliverer = Deliverer(sessionmaker, settings, clock=clock)
        lanes = settings.refresher_lanes
        self.refresher = Refresher(sessionmaker, clock=clock, lanes=lanes) if refresh else None
        self.last_pass = time.monotonic()

    async def run_pass(self) -> int:
        """Refresh, then deliver until nothing is due; the deliveries attempted."""
        if self.refresher is not None:
            await self.refresher.run_once()
        n = await self.deliverer.run_once()
        self.last_pass = time.monotonic()
        return n

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        interval = self.settings.deliver_interval_s or 1.0
        engine = self.sessionmaker.kw.get("bind")
        try:
            async with wakeup.waker(engine if isinstance(engine, AsyncEngine) else None) as wake:
                while not stop.is_set():
                    # Cleared before the pass: deliveries committed during it wake the
                    # next wait at once.
                    wake.clear()
                    try:
                        await self.run_pass()
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # a bad pass must not end the worker; rows stay due
                        log.exception("worker pass failed")
                    await _first(stop, wake, interval)
        finally:
            await self.deliverer.aclose()

    def healthy(self) -> bool:
        # A pass includes HTTP calls bounded by the timeout; allow a few of them.
        limit = max(
            60.0, 4 * self.settings.webhook_timeout_s + 4 * self.settings.deliver_interval_s
        )
        return time.monotonic() - self.last_pass < limit


async def _first(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


async def _health(
    worker: Worker, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        await asyncio.wait_for(reader.readline(), 5)
        ok = worker.healthy()
        body = b"ok\n" if ok else b"stalled\n"
        status = b"200 OK" if ok else b"503 Service Unavailable"
        writer.write(
            b"HTTP/1.1 "
            + status
            + b"\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(body)
            + body
        )
        await writer.drain()
    except (TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def run_worker(settings: Settings, health_port: int | None) -> None:
    """The ``aftersales worker`` process, until SIGTERM or SIGINT."""
    from service.db.engine import create_engine, create_sessionmaker

    engine = create_engine(settings)
    worker = Worker(create_sessionmaker(engine), settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = None
    if health_port is not None:
        server = await asyncio.start_server(
            lambda r, w: _health(worker, r, w), "0.0.0.0", health_port
        )
    gc_tuning.freeze_startup_objects(settings.gc_freeze)
    log.info("worker started")
    try:
        await worker.run_forever(stop)
    finally:
        if server is not None:
            server.close()
        await engine.dispose()
        log.info("worker stopped")


def start_delivering(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> tuple[asyncio.Task[None], asyncio.Event] | None:
    """The server's in-process delivery loop (its refresher runs on its own)."""
    if settings.deliver_interval_s <= 0:
        return None
    stop = asyncio.Event()
    worker = Worker(sessionmaker, settings, refresh=False)
    return asyncio.create_task(worker.run_forever(stop)), stop


async def stop_delivering(running: tuple[asyncio.Task[None], asyncio.Event] | None) -> None:
    if running is None:
        return
    task, stop = running
    stop.set()
    try:
        await asyncio.wait_for(task, 15)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
