"""The worker process: a SIGKILL mid-delivery loses nothing; workers share the outbox."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.engine import create_engine, create_sessionmaker
from service.db.models import Shop, WebhookDelivery
from service.events import outbox, wakeup
from service.events.delivery import Deliverer
from service.events.endpoints import create_endpoint, replay_delivery
from tests.conftest import make_shop
from tests.events.receiver import Receiver, receiver


def _event(shop: Shop, n: int, now: datetime) -> dict[str, object]:
    uid = f"evt_test_{n}"
    return {
        "uid": uid,
        "shop_id": shop.id,
        "type": "case.overdue",
        "dedup_key": f"test:{n}",
        # Many cases: one case's events go out one after the other.
        "case_key": f"ORDER:{n}",
        "payload": {"id": uid, "type": "case.overdue", "timestamp": now.isoformat(), "data": {}},
        "created_at": now,
    }


async def _events(session: AsyncSession, shop: Shop, count: int) -> None:
    now = datetime.now(UTC)
    await session.run_sync(
        lambda s: outbox.write(s, [_event(shop, i, now) for i in range(count)], now)
    )
    await session.commit()


def _spawn(
    url: str, lease_s: float, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": url,
        "AFTERSALES_WEBHOOK_LEASE_S": str(lease_s),
        "AFTERSALES_WEBHOOK_TIMEOUT_S": "30",
        "AFTERSALES_DELIVER_INTERVAL_S": "0.2",
        "AFTERSALES_REFRESH_INTERVAL_S": "0",
        **(extra or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(pred: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


async def _statuses(session: AsyncSession) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(WebhookDelivery.status, WebhookDelivery.attempts).execution_options(
            populate_existing=True
        )
    )
    return [(s, a) for s, a in rows.all()]


async def test_a_worker_killed_mid_delivery_loses_nothing(
    session: AsyncSession, settings: Settings
) -> None:
    shop = await make_shop(session)
    rec: Receiver
    # the receiver holds the first request open: the worker is mid-delivery
    with receiver(hold_first_s=30) as rec:
        await create_endpoint(session, shop.id, rec.url, [], settings)
        await session.commit()
        await _events(session, shop, 1)
        first = _spawn(settings.database_url, lease_s=2)
        try:
            await asyncio.to_thread(_wait, lambda: len(rec.got) == 1, 30)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            first.kill()
        # the killed worker recorded nothing: the delivery is still pending
        assert await _statuses(session) == [("PENDING", 1)]
        second = _spawn(settings.database_url, lease_s=2)
        try:
            await asyncio.to_thread(_wait, lambda: len(rec.got) == 2, 30)

            async def delivered() -> bool:
                return await _statuses(session) == [("DELIVERED", 2)]

            for _ in range(100):
                if await delivered():
                    break
                await asyncio.sleep(0.1)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0
    assert await _statuses(session) == [("DELIVERED", 2)]
    # one receipt id, seen twice (the killed attempt and its retry): at least once
    assert rec.ids() == ["evt_test_0", "evt_test_0"]


async def test_two_workers_deliver_1000_events_none_twice(
    session: AsyncSession, settings: Settings, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SKIP LOCKED sharing is a PostgreSQL matter")
    shop = await make_shop(session)
    with receiver() as rec:
        await create_endpoint(session, shop.id, rec.url, [], settings)
        await session.commit()
        await _events(session, shop, 1000)
        engines: list[AsyncEngine] = [create_engine(settings) for _ in range(2)]
        deliverers = [Deliverer(create_sessionmaker(e), settings, batch=50) for e in engines]
        try:
            counts = await asyncio.gather(*(d.run_once() for d in deliverers))
        finally:
            for d in deliverers:
                await d.aclose()
            for e in engines:
                await e.dispose()
    rows = await session.execute(select(WebhookDelivery.attempts, WebhookDelivery.last_error))
    retried = [r for r in rows.all() if r.attempts > 1]
    seen = Counter(rec.ids())
    assert len(seen) == 1000
    assert max(seen.values()) == 1
    assert retried == []
    assert sum(counts) == 1000 and min(counts) > 0  # both took part
    assert {s for s, _ in await _statuses(session)} == {"DELIVERED"}


async def _arrives(rec: Receiver, count: int, within_s: float) -> None:
    for _ in range(int(within_s * 20)):
        if len(rec.got) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(rec.got)} of {count} arrived within {within_s} s")


@asynccontextmanager
async def _idle_loop(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> AsyncIterator[tuple[Shop, Receiver]]:
    """A shop with an endpoint, and the in-process delivery loop idle with a poll
    interval far longer than any test: what arrives soon was woken."""
    from service.events.worker import Worker

    shop = await make_shop(session)
    slow = settings.model_copy(update={"deliver_interval_s": 120})
    with receiver() as rec:
        await create_endpoint(session, shop.id, rec.url, [], settings)
        await session.commit()
        worker = Worker(create_sessionmaker(engine), slow, refresh=False)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run_forever(stop))
        try:
            await asyncio.sleep(0.5)  # its first pass found nothing
            yield shop, rec
        finally:
            stop.set()
            await asyncio.wait_for(task, 20)


async def test_an_idle_loop_wakes_when_deliveries_are_committed(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    async with _idle_loop(session, engine, settings) as (shop, rec):
        # when an event is committed, then it arrives long before the next poll
        await _events(session, shop, 1)
        await _arrives(rec, 1, within_s=10)
    assert rec.ids() == ["evt_test_0"]


async def test_a_replayed_delivery_wakes_an_idle_loop(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    async with _idle_loop(session, engine, settings) as (shop, rec):
        # given a delivery already made
        await _events(session, shop, 1)
        await _arrives(rec, 1, within_s=10)
        delivery_id = await session.scalar(select(WebhookDelivery.id))
        assert delivery_id is not None
        # when it is replayed, then it arrives again long before the next poll
        await replay_delivery(session, shop.id, delivery_id, datetime.now(UTC))
        await session.commit()
        await _arrives(rec, 2, within_s=10)
    assert rec.ids() == ["evt_test_0", "evt_test_0"]


async def test_a_worker_process_wakes_on_notify(
    session: AsyncSession, settings: Settings, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY between processes is a PostgreSQL matter")
    shop = await make_shop(session)
    with receiver() as rec:
        await create_endpoint(session, shop.id, rec.url, [], settings)
        await session.commit()
        env_interval = {"AFTERSALES_DELIVER_INTERVAL_S": "120"}
        worker = _spawn(settings.database_url, lease_s=30, extra=env_interval)
        try:
            await _events(session, shop, 1)  # its first pass, whenever it starts
            await _arrives(rec, 1, within_s=30)
            await asyncio.sleep(0.5)  # now idle until the next poll, 2 minutes away
            now = datetime.now(UTC)
            await session.run_sync(lambda s: outbox.write(s, [_event(shop, 1, now)], now))
            await session.commit()
            await _arrives(rec, 2, within_s=10)
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(20) == 0
    assert rec.ids() == ["evt_test_0", "evt_test_1"]


async def test_a_request_that_could_outlive_the_lease_is_not_started(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    # given a lease of 3 s, a 2 s timeout, one request at a time, and a receiver that
    # holds the first request 1.5 s: the second could only start when it might end
    # after the lease, when another worker may already have claimed it
    shop = await make_shop(session)
    tight = settings.model_copy(update={"webhook_lease_s": 3, "webhook_timeout_s": 2})
    with receiver(hold_first_s=1.5) as rec:
        await create_endpoint(session, shop.id, rec.url, [], settings)
        await session.commit()
        await _events(session, shop, 3)
        deliverer = Deliverer(create_sessionmaker(engine), tight, in_flight=1, lanes=1)
        try:
            # when a batch runs, then only the first is sent; the others are handed back
            assert await deliverer.run_batch() == 1
            assert len(rec.got) == 1
            assert await deliverer.run_once() == 2
        finally:
            await deliverer.aclose()
    # each went out once, and the handed-back ones count one attempt, not two
    assert sorted(rec.ids()) == ["evt_test_0", "evt_test_1", "evt_test_2"]
    assert await _statuses(session) == [("DELIVERED", 1)] * 3


async def test_the_delivery_listener_reconnects_after_losing_its_connection(
    engine: AsyncEngine, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY between processes is a PostgreSQL matter")
    listening = text(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND query LIKE 'LISTEN%aftersales_deliveries%'"
    )

    async def listener_pid(other_than: int | None = None) -> int:
        for _ in range(200):
            async with engine.connect() as conn:
                pids = set((await conn.execute(listening)).scalars()) - {other_than}
            if pids:
                return int(pids.pop())
            await asyncio.sleep(0.05)
        raise AssertionError("no LISTEN connection within 10 s")

    async def notify_from_another_process() -> None:
        # Straight to the server, not through a session: no in-process wake-up.
        async with engine.connect() as conn:
            await conn.execute(text(f"SELECT pg_notify('{wakeup.CHANNEL}', '')"))
            await conn.commit()

    async with wakeup.waker(engine, backoff_s=0.1, backoff_max_s=0.2) as wake:
        first = await listener_pid()
        # when its connection is killed, then a new one listens
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        second = await listener_pid(other_than=first)
        # and a notice sent afterwards by another process wakes the loop
        await asyncio.sleep(0.2)
        wake.clear()
        await notify_from_another_process()
        await asyncio.wait_for(wake.wait(), 10)
    assert second != first
