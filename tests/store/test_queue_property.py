"""Property: the stored-state work queue equals the brute-force queue at any instant.

Random shops (orders in every status, parcels with tracking events, refund requests in
every status, platform refunds) are written through the ORM, then queried at random
instants in time order, many of them just before, at and just after a fact time plus a
policy duration (the rule boundaries). At each instant the shop's stale states are
recomputed and the indexed queue must equal deciding every case at that instant: same
items, same order, same actions, same deadlines.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Order, RefundRequest, Shipment, Shop, TrackingEvent
from service.decision.facts import (
    OrderStatus,
    Platform,
    PlatformRefundKind,
    RefundReason,
    RefundStatus,
    RefundType,
    TrackingEventKind,
)
from service.store import case_state, work_queue
from service.store.refresher import refresh_stale
from service.store.work_queue import QueueQuery
from tests.store.brute import Item, brute_queue

BASE = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)
TICK = timedelta(microseconds=1)
# Durations the rules add to fact times (hours): ship window, respond-by, pickup and
# update limits, stagnation, the tracking-message window, appeal days, recent refunds.
OFFSETS_H = (0, 24, 48, 72, 120, 8 * 24, 3 * 24, 7 * 24, 30 * 24)
_shops = count()

minutes = st.integers(min_value=0, max_value=60 * 90)
K = TrackingEventKind


@st.composite
def order_specs(draw: st.DrawFn) -> dict[str, object]:
    status = draw(st.sampled_from(list(OrderStatus)))
    confirmed = BASE + timedelta(minutes=draw(minutes))
    grouped = status is not OrderStatus.AWAITING_GROUP and draw(st.booleans())
    spec: dict[str, object] = {
        "status": status,
        "confirmed_at": confirmed,
        "group_formed_at": confirmed + timedelta(minutes=draw(minutes) % 300) if grouped else None,
        "can_fulfil": draw(st.integers(0, 5)) > 0,
        "platform": draw(st.sampled_from(list(Platform))),
        "shipment": None,
        "refund": None,
    }
    shipped = status in (OrderStatus.SHIPPED, OrderStatus.SIGNED, OrderStatus.COMPLETED)
    if shipped or draw(st.integers(0, 6)) == 0:
        up = confirmed + timedelta(minutes=30 + draw(minutes) % 3000)
        steps = draw(
            st.lists(
                st.sampled_from(
                    [K.PICKUP, K.SORTING_DEPARTURE, K.OUT_FOR_DELIVERY, K.SIGNED, K.EXCEPTION]
                ),
                max_size=4,
                unique=True,
            )
        )
        gaps = draw(st.lists(st.integers(1, 60 * 60), min_size=len(steps), max_size=len(steps)))
        at = up
        events = []
        for kind, gap in zip(steps, gaps, strict=True):
            at = at + timedelta(minutes=gap)
            events.append((at, kind))
        spec["shipment"] = (up, events)
    if draw(st.integers(0, 2)) == 0:
        rstatus = draw(st.sampled_from(list(RefundStatus)))
        requested = confirmed + timedelta(minutes=1 + draw(minutes) % 4000)
        refunded = requested + timedelta(minutes=5) if rstatus is RefundStatus.REFUNDED else None
        spec["refund"] = {
            "status": rstatus,
            "requested_at": requested,
            "refunded_at": refunded,
            "platform_refund": draw(st.sampled_from([None, *PlatformRefundKind]))
            if refunded
            else None,
            "reason": draw(st.sampled_from(list(RefundReason))),
            "type": draw(st.sampled_from(list(RefundType))),
        }
    return spec


async def _write(
    session: AsyncSession, specs: list[dict[str, object]]
) -> tuple[int, list[datetime]]:
    shop = Shop(slug=f"prop-{next(_shops)}", name="P", platform=Platform.PDD)
    session.add(shop)
    await session.flush()
    times: list[datetime] = []
    for i, spec in enumerate(specs):
        order = Order(
            shop_id=shop.id,
            order_number=f"P-{i}",
            platform=spec["platform"],
            amount=Decimal("39.90"),
            status=spec["status"],
            confirmed_at=spec["confirmed_at"],
            group_formed_at=spec["group_formed_at"],
            can_fulfil=spec["can_fulfil"],
        )
        session.add(order)
        await session.flush()
        times += [spec["confirmed_at"], spec["group_formed_at"]]  # type: ignore[list-item]
        if spec["shipment"] is not None:
            up, events = cast(tuple[datetime, list[tuple[datetime, K]]], spec["shipment"])
            sh = Shipment(
                shop_id=shop.id,
                order_id=order.id,
                carrier="ZTO",
                tracking_number=f"ZT{shop.id}-{i}",
                tracking_uploaded_at=up,
            )
            session.add(sh)
            await session.flush()
            times.append(up)
            for at, kind in events:
                session.add(TrackingEvent(shop_id=shop.id, shipment_id=sh.id, at=at, kind=kind))
                times.append(at)
        rf = spec["refund"]
        if rf is not None:
            session.add(
                RefundRequest(
                    shop_id=shop.id,
                    order_id=order.id,
                    refund_number=f"R-{i}",
                    **rf,  # type: ignore[arg-type]
                )
            )
            times += [rf["requested_at"], rf["refunded_at"]]  # type: ignore[index]
    await session.commit()
    return shop.id, [t for t in times if t is not None]


async def _stored(session: AsyncSession, shop_id: int, now: datetime) -> list[Item]:
    await refresh_stale(session, shop_id, now)
    await session.commit()
    rows = await work_queue.page(session, shop_id, QueueQuery(), None, 10_000)
    out = []
    for r in rows:
        assert r.action is not None and r.rule_id is not None and r.due_at is not None
        out.append(Item(r.kind, r.entity_id, r.action, r.rule_id, r.overdue, r.due_at))
    return out


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(order_specs(), min_size=1, max_size=7), data=st.data())
async def test_stored_queue_equals_brute_force_queue(
    session: AsyncSession, specs: list[dict[str, object]], data: st.DataObject
) -> None:
    # given a random shop, written as an ingest would write it at some instant
    session.info[case_state.NOW] = BASE + timedelta(minutes=data.draw(minutes))
    shop_id, times = await _write(session, specs)
    session.info.pop(case_state.NOW, None)

    # when queried at random instants, in time order, many right at rule boundaries
    near = st.tuples(
        st.sampled_from(times),
        st.sampled_from(OFFSETS_H),
        st.sampled_from([-timedelta(seconds=1), -TICK, timedelta(0), TICK, timedelta(seconds=1)]),
    ).map(lambda t: t[0] + t[1] * H + t[2])
    anywhere = st.integers(0, 60 * 24 * 45).map(lambda m: BASE + timedelta(minutes=m))
    instants = sorted(data.draw(st.lists(st.one_of(near, anywhere), min_size=1, max_size=6)))
    for now in instants:
        # then the stored-state queue is the brute-force queue
        assert await _stored(session, shop_id, now) == await brute_queue(session, shop_id, now), now
