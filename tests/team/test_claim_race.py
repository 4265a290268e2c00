"""Of 50 concurrent claims on one case, each on its own connection, exactly one wins;
the others are refused naming the winner (PostgreSQL: SQLite serialises writers)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from service.db.models import Agent, Role
from service.team import agents, claims
from service.team.claims import CaseKey, ClaimedByOther
from tests.conftest import make_shop
from tests.factories import NOW, make_order

RACERS = 50


async def test_fifty_concurrent_claims_have_one_winner(
    backend: str, migrated_url: str, session: AsyncSession
) -> None:
    if backend != "postgresql":
        pytest.skip("concurrent writers on separate connections need PostgreSQL")
    shop = await make_shop(session)
    order = await make_order(session, shop, "PO-RACE")
    team: list[Agent] = []
    for n in range(RACERS):
        agent, _ = await agents.create_agent(session, shop, f"agent {n}", Role.AGENT)
        team.append(agent)
    await session.commit()
    key = CaseKey(claims.ORDER, order.id)
    engine = create_async_engine(migrated_url, pool_size=RACERS, max_overflow=0)
    make = async_sessionmaker(engine, expire_on_commit=False)
    start = asyncio.Barrier(RACERS)

    async def race(agent_id: int) -> int | str:
        async with make() as mine:
            await mine.connection()  # every racer holds its own connection before the start
            await start.wait()
            try:
                hold = await claims.claim(mine, shop.id, key, agent_id, NOW)
            except ClaimedByOther as exc:
                await mine.rollback()
                return exc.hold.agent_name
            await mine.commit()
            return hold.agent_id

    try:
        results = await asyncio.gather(*(race(a.id) for a in team))
    finally:
        await engine.dispose()
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1
    winner = next(a for a in team if a.id == winners[0])
    refusals = [r for r in results if isinstance(r, str)]
    assert refusals == [winner.display_name] * (RACERS - 1)
    held = await claims.holds(session, shop.id, [key], NOW)
    assert held[key].agent_id == winner.id
