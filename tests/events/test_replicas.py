"""Events across replicas: PostgreSQL LISTEN/NOTIFY (SQLite stays in-process)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.engine import create_sessionmaker
from service.db.models import CaseEvent, Role
from service.events import bus, listener, types
from service.store import case_state
from tests.conftest import make_shop, make_token
from tests.events.test_subscriptions import _subscribe, server
from tests.factories import NOW, make_order
from tests.graphql.helpers import UPSERT_ORDERS, gql_data


def _overdue_order(number: str) -> dict[str, Any]:
    # Confirmed four days ago and not shipped: its ship-by has passed.
    confirmed = (NOW - timedelta(days=4)).isoformat()
    return {
        "orderNumber": number,
        "platform": "PDD",
        "amount": "19.90",
        "status": "AWAITING_SHIPMENT",
        "confirmedAt": confirmed,
    }


async def _quiet(ws: Any, seconds: float) -> Any:
    try:
        return await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return None


async def test_a_mutation_on_one_instance_reaches_a_subscription_on_another(
    session: AsyncSession, settings: Settings
) -> None:
    shop = await make_shop(session)
    other = await make_shop(session, "shop-b")
    token = await make_token(session, shop, Role.AGENT)
    other_token = await make_token(session, other, Role.AGENT)
    writer = await make_token(session, shop, Role.INTEGRATION)
    # Two real servers, each with its own app, engine and event loop (on PostgreSQL
    # each with its own LISTEN connection), on one database.
    with server(settings) as one, server(settings) as two:
        mine = await _subscribe(one, token, None)
        theirs = await _subscribe(one, other_token, None)
        try:
            await asyncio.sleep(0.3)  # the subscriptions are registered
            base = two.replace("ws://", "http://").removesuffix("/graphql")
            async with httpx.AsyncClient(base_url=base, trust_env=False) as c:
                await gql_data(c, writer, UPSERT_ORDERS, orders=[_overdue_order("X-1")])
            got = json.loads(await asyncio.wait_for(mine.recv(), 10))
            event = got["payload"]["data"]["caseEvents"]
            assert got["type"] == "next" and event["type"] == types.OVERDUE
            assert await _quiet(mine, 0.5) is None  # once, not once per instance
            assert await _quiet(theirs, 0.5) is None
        finally:
            await mine.close()
            await theirs.close()


@asynccontextmanager
async def _raw_listener(settings: Settings) -> AsyncIterator[asyncio.Queue[str]]:
    heard: asyncio.Queue[str] = asyncio.Queue()
    conn = await asyncpg.connect(listener.asyncpg_dsn(settings.database_url))
    try:
        await conn.add_listener(listener.CHANNEL, lambda *a: heard.put_nowait(a[3]))
        yield heard
    finally:
        await conn.close()


async def test_a_commit_announces_small_notices_and_a_rollback_announces_nothing(
    session: AsyncSession, settings: Settings, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite publishes in-process")
    shop = await make_shop(session)
    await session.commit()
    session.info[case_state.NOW] = NOW
    async with _raw_listener(settings) as heard:
        # announced inside a transaction that then rolls back
        await session.run_sync(lambda s: listener.notify(s, [(999, shop.id)]))
        await session.rollback()
        assert await _quiet_queue(heard, 0.5) is None
        await session.refresh(shop)
        session.info[case_state.NOW] = NOW
        await make_order(session, shop, "C-1", confirmed_at=NOW - timedelta(days=4))
        await session.commit()
        notice = await asyncio.wait_for(heard.get(), 5)
    ids = (await session.execute(select(CaseEvent.id))).scalars().all()
    assert len(notice.encode()) < 8000
    assert json.loads(notice) == {"s": shop.id, "e": sorted(ids)} and ids


async def _quiet_queue(queue: asyncio.Queue[str], seconds: float) -> str | None:
    try:
        return await asyncio.wait_for(queue.get(), seconds)
    except TimeoutError:
        return None


async def test_the_listener_reconnects_and_reads_back_what_it_missed(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite publishes in-process")
    shop = await make_shop(session)
    await session.commit()
    sm = create_sessionmaker(engine)
    ear = listener.EventListener(
        listener.asyncpg_dsn(settings.database_url), sm, backoff_s=0.2, backoff_max_s=0.4
    )
    ear.start()
    try:
        with bus.subscribe(shop.id) as queue:
            got = []
            # twice: before anything was heard, and after
            for number in ("A-1", "A-2"):
                await asyncio.wait_for(ear.connected.wait(), 10)
                # the listening connection is killed; an event commits while it is down
                pid = ear.backend_pid
                async with sm() as admin:
                    await admin.execute(select(_terminate(pid)))
                session.info[case_state.NOW] = NOW
                await make_order(session, shop, number, confirmed_at=NOW - timedelta(days=4))
                await session.commit()
                got.append(await asyncio.wait_for(queue.get(), 10))
                assert ear.backend_pid != pid
            assert await _quiet_queue(queue, 0.5) is None  # type: ignore[arg-type]
    finally:
        await ear.stop()
    assert got[0]["data"]["orderId"] != got[1]["data"]["orderId"]


def _terminate(pid: int | None) -> Any:
    from sqlalchemy import func

    return func.pg_terminate_backend(pid)


async def test_apps_of_one_process_share_one_listener(
    engine: AsyncEngine, settings: Settings, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite publishes in-process")
    sm = create_sessionmaker(engine)
    first = listener.acquire(settings.database_url, sm)
    second = listener.acquire(settings.database_url, sm)
    try:
        # one connection, so a subscriber is not handed each event twice
        assert first is second
        await asyncio.wait_for(first.connected.wait(), 10)
    finally:
        await listener.release(second)
        assert first.connected.is_set()  # still held by the other app
        await listener.release(first)
    assert not first.connected.is_set()
