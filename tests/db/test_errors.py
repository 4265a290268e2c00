"""Telling a duplicate key from other integrity errors, and a deadlock from other
failures, on each backend."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.errors import is_transient_conflict, is_unique_violation
from service.db.models import Order, Shop
from service.decision.facts import OrderStatus, Platform
from tests.conftest import make_shop
from tests.factories import NOW


async def test_a_duplicate_key_is_a_unique_violation(session: AsyncSession) -> None:
    await make_shop(session, "twin")
    session.add(Shop(slug="twin", name="TWIN", platform=Platform.PDD))
    with pytest.raises(IntegrityError) as caught:
        await session.flush()
    assert is_unique_violation(caught.value)


async def test_a_missing_parent_is_not_a_unique_violation(session: AsyncSession) -> None:
    session.add(
        Order(
            shop_id=999_999,
            order_number="PO-1",
            platform=Platform.PDD,
            amount=Decimal("1.00"),
            status=OrderStatus.AWAITING_SHIPMENT,
            confirmed_at=NOW,
        )
    )
    with pytest.raises(IntegrityError) as caught:
        await session.flush()
    assert not is_unique_violation(caught.value)


async def test_a_unique_violation_is_not_a_transient_conflict(session: AsyncSession) -> None:
    await make_shop(session, "twin")
    session.add(Shop(slug="twin", name="TWIN", platform=Platform.PDD))
    with pytest.raises(IntegrityError) as caught:
        await session.flush()
    assert not is_transient_conflict(caught.value)


async def test_a_deadlock_is_a_transient_conflict(
    session: AsyncSession, engine: AsyncEngine, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: no deadlocks")
    # given two shops, and two transactions each holding one of them
    ids = [(await make_shop(session, f"dl-{i}")).id for i in range(2)]
    await session.commit()
    held = asyncio.Event(), asyncio.Event()
    failures: list[DBAPIError] = []

    async def take(first: int, second: int, mine: asyncio.Event, theirs: asyncio.Event) -> None:
        try:
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE shops SET name = 'x' WHERE id = :i"), {"i": first})
                mine.set()
                await theirs.wait()
                await conn.execute(text("UPDATE shops SET name = 'y' WHERE id = :i"), {"i": second})
        except DBAPIError as exc:
            failures.append(exc)

    # when each then wants the other's
    await asyncio.gather(take(ids[0], ids[1], *held), take(ids[1], ids[0], held[1], held[0]))

    # then PostgreSQL failed one of them, and that failure is a transient conflict
    assert len(failures) == 1
    assert is_transient_conflict(failures[0])
