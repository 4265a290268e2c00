"""Events from stored case states, delivered as signed webhooks to a real receiver."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from standardwebhooks.webhooks import Webhook

from service.config import Environment, Settings
from service.db.engine import create_sessionmaker
from service.db.models import CaseEvent, CaseState, Shop, WebhookDelivery, WebhookEndpoint
from service.events import types
from service.events.delivery import Deliverer
from service.events.endpoints import EndpointError, create_endpoint
from service.store import case_state
from service.store.refresher import Refresher
from tests.conftest import make_shop
from tests.events.receiver import receiver
from tests.factories import NOW, make_order, make_refund


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


async def _refund_case(session: AsyncSession, shop: Shop, number: str = "1") -> CaseState:
    session.info[case_state.NOW] = NOW
    order = await make_order(session, shop, f"O-{number}")
    refund = await make_refund(session, order, f"RF-{number}")
    await session.commit()
    state = (
        await session.execute(select(CaseState).where(CaseState.refund_request_id == refund.id))
    ).scalar_one()
    return state


async def _endpoint(
    session: AsyncSession, shop: Shop, url: str, settings: Settings, kinds: list[str]
) -> WebhookEndpoint:
    ep = await create_endpoint(session, shop.id, url, kinds, settings)
    await session.commit()
    return ep


def _workers(
    engine: AsyncEngine, settings: Settings, clock: Callable[[], datetime]
) -> tuple[Refresher, Deliverer]:
    sm = create_sessionmaker(engine)
    return Refresher(sm, clock=clock), Deliverer(sm, settings, clock=clock)


async def test_deadline_approaching_arrives_when_its_window_opens_signed(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    # given a refund request with a deadline, and an endpoint for approaching deadlines
    shop = await make_shop(session)
    with receiver() as rec:
        ep = await _endpoint(session, shop, rec.url, settings, [types.DEADLINE_APPROACHING])
        state = await _refund_case(session, shop)
        assert state.due_at is not None and state.deadline_kind is not None
        window = types.warning_before(state.deadline_kind)
        assert window is not None
        opens = state.due_at - window
        # the state wakes when the window opens
        assert state.stale_at is not None and state.stale_at <= opens
        clock = Clock(opens - timedelta(minutes=1))
        refresher, deliverer = _workers(engine, settings, clock)
        try:
            # when time passes to just before the window: nothing is sent
            await refresher.run_once()
            await deliverer.run_once()
            assert rec.got == []
            # when the window opens
            clock.at = opens
            await refresher.run_once()
            await deliverer.run_once()
            # and another pass later does not send it again
            clock.at = opens + timedelta(minutes=30)
            await refresher.run_once()
            await deliverer.run_once()
        finally:
            await deliverer.aclose()
    # then the receiver got exactly one event, signed with the endpoint's secret
    assert len(rec.got) == 1
    got = rec.got[0]
    payload = Webhook(ep.secret).verify(got.body, got.headers)
    assert payload["type"] == types.DEADLINE_APPROACHING
    assert payload["id"] == got.headers["webhook-id"]
    data = payload["data"]
    assert data["deadline"]["kind"] == state.deadline_kind.value
    assert data["refundRequestId"] is not None
    assert data["caseKind"] == "REFUND_REQUEST"
    # a wrong secret does not verify
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 32).verify(got.body, got.headers)


async def test_a_receiver_answering_500_twice_gets_the_event_on_the_third_attempt(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    shop = await make_shop(session)
    with receiver(script=[500, 500]) as rec:
        await _endpoint(session, shop, rec.url, settings, [types.OVERDUE])
        state = await _refund_case(session, shop)
        assert state.due_at is not None
        clock = Clock(state.due_at + timedelta(minutes=1))  # overdue now
        refresher, deliverer = _workers(engine, settings, clock)
        try:
            await refresher.run_once()
            attempts = []
            for _ in range(3):
                attempts.append(await deliverer.run_once())
                clock.at += timedelta(hours=3)  # past any backoff
            # nothing further is sent once delivered
            assert await deliverer.run_once() == 0
        finally:
            await deliverer.aclose()
    overdue = [d for d in await _deliveries(session) if d[1] == types.OVERDUE]
    assert len(overdue) == 1
    delivery = overdue[0][0]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("DELIVERED", 3, 200)
    assert attempts == [1, 1, 1]
    assert [orjson.loads(r.body)["type"] for r in rec.got] == [types.OVERDUE] * 3
    assert len(set(rec.ids())) == 1


async def _deliveries(session: AsyncSession) -> list[tuple[WebhookDelivery, str]]:
    rows = await session.execute(
        select(WebhookDelivery, CaseEvent.type)
        .join(CaseEvent, CaseEvent.id == WebhookDelivery.event_id)
        .order_by(WebhookDelivery.id)
        .execution_options(populate_existing=True)
    )
    return [(d, t) for d, t in rows.all()]


async def test_410_disables_the_endpoint_and_says_so(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    shop = await make_shop(session)
    with receiver(script=[410]) as rec:
        ep = await _endpoint(session, shop, rec.url, settings, [types.OVERDUE])
        state = await _refund_case(session, shop)
        assert state.due_at is not None
        clock = Clock(state.due_at + timedelta(minutes=1))
        refresher, deliverer = _workers(engine, settings, clock)
        try:
            await refresher.run_once()
            await deliverer.run_once()
            clock.at += timedelta(hours=3)
            assert await deliverer.run_once() == 0
        finally:
            await deliverer.aclose()
    assert len(rec.got) == 1
    await session.refresh(ep)
    assert not ep.enabled and ep.disabled_reason is not None and "410" in ep.disabled_reason
    kinds = (await session.execute(select(CaseEvent.type))).scalars().all()
    assert types.ENDPOINT_DISABLED in kinds
    assert {d.status for d, _ in await _deliveries(session)} == {"FAILED"}


async def test_events_of_one_case_arrive_in_order_across_retries(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    shop = await make_shop(session)
    with receiver(script=[503]) as rec:
        await _endpoint(session, shop, rec.url, settings, [])
        state = await _refund_case(session, shop)
        assert state.due_at is not None and state.deadline_kind is not None
        window = types.warning_before(state.deadline_kind)
        assert window is not None
        clock = Clock(state.due_at - window)
        refresher, deliverer = _workers(engine, settings, clock)
        try:
            await refresher.run_once()
            await deliverer.run_once()  # the approaching event fails once
            clock.at = state.due_at + timedelta(minutes=1)
            await refresher.run_once()
            await deliverer.run_once()  # its retry first, then the overdue event
        finally:
            await deliverer.aclose()
    sent = [orjson.loads(r.body)["type"] for r in rec.got]
    refund_events = [t for t in sent if t != types.DECISION_CHANGED]
    assert refund_events[:3] == [
        types.DEADLINE_APPROACHING,
        types.DEADLINE_APPROACHING,
        types.OVERDUE,
    ]


async def test_another_shops_endpoint_never_sees_the_event(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    shop = await make_shop(session)
    other = await make_shop(session, "shop-b")
    with receiver() as mine, receiver() as theirs:
        await _endpoint(session, shop, mine.url, settings, [])
        await _endpoint(session, other, theirs.url, settings, [])
        state = await _refund_case(session, shop)
        assert state.due_at is not None
        clock = Clock(state.due_at + timedelta(minutes=1))
        refresher, deliverer = _workers(engine, settings, clock)
        try:
            await refresher.run_once()
            await deliverer.run_once()
        finally:
            await deliverer.aclose()
    assert mine.got and theirs.got == []


async def test_unknown_event_types_and_bad_urls_are_refused(
    session: AsyncSession, settings: Settings
) -> None:
    shop = await make_shop(session)
    with pytest.raises(EndpointError) as bad_type:
        await create_endpoint(session, shop.id, "https://example.com/h", ["case.nope"], settings)
    assert bad_type.value.field == "eventTypes"
    with pytest.raises(EndpointError) as bad_url:
        await create_endpoint(session, shop.id, "ftp://example.com/h", [], settings)
    assert bad_url.value.field == "url"


async def test_metrics_count_events_and_deliveries(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    from service.observability.metrics import Metrics

    metrics = Metrics()

    def sample(name: str, **labels: str) -> float:
        return metrics.registry.get_sample_value(name, labels) or 0.0

    created = sample("aftersales_events_created_total", type=types.OVERDUE)
    delivered = sample("aftersales_webhook_deliveries_total", outcome="delivered")
    shop = await make_shop(session)
    with receiver() as rec:
        await _endpoint(session, shop, rec.url, settings, [types.OVERDUE])
        state = await _refund_case(session, shop)
        assert state.due_at is not None
        clock = Clock(state.due_at + timedelta(minutes=1))
        refresher, deliverer = _workers(engine, settings, clock)
        try:
            await refresher.run_once()
            await deliverer.run_once()
        finally:
            await deliverer.aclose()
    assert sample("aftersales_events_created_total", type=types.OVERDUE) == created + 1
    assert sample("aftersales_webhook_deliveries_total", outcome="delivered") == delivered + 1
    assert sample("aftersales_webhook_delivery_seconds_count") >= 1


async def test_prod_refuses_internal_addresses_unless_allow_listed(
    session: AsyncSession, settings: Settings
) -> None:
    shop = await make_shop(session)
    prod = settings.model_copy(update={"env": Environment.PROD})
    for url in ("http://example.com/h", "https://127.0.0.1/h", "https://169.254.169.254/x"):
        with pytest.raises(EndpointError) as refused:
            await create_endpoint(session, shop.id, url, [], prod)
        assert refused.value.field == "url", url
    allowed = prod.model_copy(update={"webhook_allowed_hosts": "10.0.0.0/8, 127.0.0.1"})
    ep = await create_endpoint(session, shop.id, "https://127.0.0.1/h", [], allowed)
    assert ep.id is not None
