"""SessionGate: one operation at a time on a request's session, none after it ends."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db.engine import create_sessionmaker
from service.db.gate import RequestFinished, SessionGate


def _slow_query(engine: AsyncEngine) -> str:
    if engine.dialect.name == "postgresql":
        return "SELECT 1 FROM pg_sleep(0.2)"
    # A recursive count that keeps SQLite busy for a moment.
    return (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)"
        " SELECT count(*) FROM n"
    )


async def test_close_waits_for_the_operation_under_way_and_refuses_later_ones(
    engine: AsyncEngine,
) -> None:
    # given a request's session with one query running and one waiting for the gate
    gate = SessionGate()
    async with create_sessionmaker(engine)() as session:

        async def use(inside: asyncio.Event | None = None) -> object:
            async with gate:
                if inside is not None:
                    inside.set()
                return (await session.execute(text(_slow_query(engine)))).scalar()

        # An event, not a sleep: on a loaded machine a sleep could outlast the query.
        inside = asyncio.Event()
        running = asyncio.create_task(use(inside))
        await inside.wait()
        waiting = asyncio.create_task(use())
        await asyncio.sleep(0)

        # when the request ends while they are in flight
        await gate.close()

        # then the running one has finished, the waiting one is refused
        assert running.done() and running.result() is not None
        with pytest.raises(RequestFinished):
            await waiting
        with pytest.raises(RequestFinished):
            await use()
        await session.rollback()
    # and the connection is back in the pool
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_close_is_idempotent_and_immediate_when_idle() -> None:
    gate = SessionGate()
    await asyncio.wait_for(gate.close(), 1)
    await asyncio.wait_for(gate.close(), 1)
    assert gate.closed
