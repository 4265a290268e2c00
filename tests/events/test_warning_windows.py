"""A shop's warning windows (policy fields) decide when deadline_approaching comes."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.engine import create_sessionmaker
from service.db.models import CaseEvent, CaseState, Role, Shop
from service.decision.facts import OrderStatus, RefundReason
from service.decision.outcome import DeadlineKind
from service.events import types
from service.store import case_state
from service.store.refresher import Refresher
from tests.conftest import make_shop, make_token
from tests.events.test_webhooks import Clock
from tests.factories import NOW, make_order, make_refund
from tests.graphql.helpers import gql_data

SET_WINDOW = """mutation($h: Int) { updateShopPolicy(input: {respondByWarningHours: $h}) {
  shop { respondByWarningHours } userErrors { field } } }"""


async def _refund_case(session: AsyncSession, shop: Shop) -> CaseState:
    """A signed order's quality refund: its urgent deadline is RESPOND_BY."""
    session.info[case_state.NOW] = NOW
    order = await make_order(session, shop, "O-1", status=OrderStatus.SIGNED)
    refund = await make_refund(session, order, "RF-1", reason=RefundReason.QUALITY)
    await session.commit()
    stmt = select(CaseState).where(CaseState.refund_request_id == refund.id)
    return (await session.execute(stmt)).scalar_one()


async def _approaching(session: AsyncSession) -> list[CaseEvent]:
    session.expire_all()
    stmt = select(CaseEvent).where(CaseEvent.type == types.DEADLINE_APPROACHING)
    return list((await session.execute(stmt)).scalars())


async def test_a_12_hour_respond_by_window_announces_12_hours_before(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given a shop whose RESPOND_BY warning comes 12 h ahead (not the default 6 h)
    shop = await make_shop(session)
    admin = await make_token(session, shop, Role.ADMIN)
    data = await gql_data(client, admin, SET_WINDOW, h=12)
    assert data["updateShopPolicy"]["shop"] == {"respondByWarningHours": 12}
    state = await _refund_case(session, shop)
    assert state.deadline_kind is DeadlineKind.RESPOND_BY and state.due_at is not None
    opens = state.due_at - timedelta(hours=12)
    # the state wakes when the shop's window opens, not the default one
    assert state.stale_at == opens
    clock = Clock(opens - timedelta(minutes=1))
    refresher = Refresher(create_sessionmaker(engine), clock=clock)
    # when time reaches just before the window: nothing
    await refresher.run_once()
    assert await _approaching(session) == []
    # when the window opens, 12 h before the deadline
    clock.at = opens
    await refresher.run_once()
    # then
    events = await _approaching(session)
    assert len(events) == 1
    deadline = events[0].payload["data"]["deadline"]
    assert deadline["kind"] == "RESPOND_BY" and events[0].created_at == opens


async def test_changing_the_window_moves_the_wake_up_of_existing_cases(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    shop = await make_shop(session)
    admin = await make_token(session, shop, Role.ADMIN)
    state = await _refund_case(session, shop)
    assert state.due_at is not None
    assert state.stale_at is not None and state.stale_at > state.due_at - timedelta(hours=20)
    # when the window grows to 20 h, the stored states are recomputed with it
    await gql_data(client, admin, SET_WINDOW, h=20)
    await Refresher(create_sessionmaker(engine), clock=Clock(state.computed_at)).run_once()
    await session.refresh(state)
    assert state.stale_at == state.due_at - timedelta(hours=20)
