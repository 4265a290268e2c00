"""Concurrent writers: none of them may fail for having overlapped another.

The key race: a request reads "no order PO-RACE", another transaction inserts
PO-RACE, then the request's INSERT meets the unique constraint. Those tests hold the
other transaction open until the request's INSERT waits on it, then commit, which
makes the interleaving certain rather than likely. They run on PostgreSQL only:
on SQLite a mutation takes the write lock before it reads, so no other writer can
come in between (which the first test checks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.engine import create_sessionmaker
from service.db.models import Order, RefundRequest, Role
from service.decision.facts import OrderStatus, Platform, RefundReason, RefundStatus, RefundType
from tests.conftest import make_shop, make_token
from tests.factories import NOW
from tests.graphql.helpers import CREATE_REFUND, UPSERT_ORDERS, gql
from tests.graphql.test_mutations_upsert_orders import order


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("on SQLite a mutation holds the write lock from its first read")


async def wait_until_blocked(engine: AsyncEngine) -> None:
    """Return once some other backend waits on a lock (the request's INSERT)."""
    async with engine.connect() as conn:
        for _ in range(200):
            waiting = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            if waiting:
                return
            await conn.rollback()  # the activity view is a snapshot per transaction
            await asyncio.sleep(0.025)
    raise AssertionError("the request never waited on the other transaction")


async def race(engine: AsyncEngine, rival: object, request: Awaitable[dict[str, Any]]) -> Any:
    """Hold ``rival`` uncommitted while ``request`` runs into it; then commit it."""
    async with create_sessionmaker(engine)() as other:
        other.add(rival)
        await other.flush()
        task = asyncio.ensure_future(request)
        await wait_until_blocked(engine)
        await other.commit()
    return await task


async def test_concurrent_upserts_all_succeed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    batches = [
        [order(f"PO-{i}", amount="19.90"), order("PO-SHARED", amount=f"{i}.00")]
        for i in range(1, 13)
    ]
    # when
    bodies = await asyncio.gather(
        *(gql(client, token, UPSERT_ORDERS, {"orders": batch}) for batch in batches)
    )
    # then
    assert [b.get("errors") for b in bodies] == [None] * len(batches)
    assert [b["data"]["upsertOrders"]["userErrors"] for b in bodies] == [[]] * len(batches)
    numbers = (await session.scalars(select(Order.order_number))).all()
    assert sorted(numbers) == sorted([f"PO-{i}" for i in range(1, 13)] + ["PO-SHARED"])


@pytest.mark.usefixtures("postgres_only")
async def test_upserting_an_order_another_writer_just_created_updates_it(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.INTEGRATION)
    rival = Order(
        shop_id=shop.id,
        order_number="PO-RACE",
        platform=Platform.PDD,
        amount=Decimal("19.90"),
        status=OrderStatus.AWAITING_SHIPMENT,
        confirmed_at=NOW,
    )
    # when
    body = await race(
        engine,
        rival,
        gql(client, token, UPSERT_ORDERS, {"orders": [order("PO-RACE", amount="25.00")]}),
    )
    # then
    assert "errors" not in body, body
    assert body["data"]["upsertOrders"]["userErrors"] == []
    session.expire_all()
    rows = (await session.scalars(select(Order).where(Order.order_number == "PO-RACE"))).all()
    assert [r.amount for r in rows] == [Decimal("25.00")]


@pytest.mark.usefixtures("postgres_only")
async def test_creating_a_refund_number_another_writer_just_created_is_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.INTEGRATION)
    created = await gql(client, token, UPSERT_ORDERS, {"orders": [order("PO-9", amount="30.00")]})
    assert created["data"]["upsertOrders"]["userErrors"] == []
    stored = await session.scalar(select(Order).where(Order.order_number == "PO-9"))
    assert stored is not None
    rival = RefundRequest(
        shop_id=shop.id,
        order_id=stored.id,
        refund_number="RF-RACE",
        type=RefundType.REFUND_ONLY,
        reason=RefundReason.NO_LONGER_WANTED,
        status=RefundStatus.PENDING,
        requested_at=NOW,
    )
    refund = {
        "refundNumber": "RF-RACE",
        "type": "REFUND_ONLY",
        "reason": "NO_LONGER_WANTED",
        "requestedAt": NOW.isoformat(),
    }
    # when
    body = await race(
        engine, rival, gql(client, token, CREATE_REFUND, {"number": "PO-9", "refund": refund})
    )
    # then: the same answer a sequential duplicate gets, and one row
    assert "errors" not in body, body
    errors = body["data"]["createRefundRequest"]["userErrors"]
    assert [e["code"] for e in errors] == ["DUPLICATE"]
    count = await session.scalar(
        select(func.count())
        .select_from(RefundRequest)
        .where(RefundRequest.refund_number == "RF-RACE")
    )
    assert count == 1
