"""caseGroups and disruptions: grouped SQL equals a brute-force grouping; a stall of
enough parcels at one place is a disruption; other shops see nothing of it."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.models import CaseState, Order, Role, Shipment, Shop, TrackingEvent
from service.decision.facts import OrderStatus, Platform, TrackingEventKind
from service.store.refresher import refresh_stale
from service.team import groups
from tests.conftest import make_shop, make_token
from tests.factories import NOW
from tests.graphql.helpers import gql_data
from tests.team.helpers import Clock, clocked_client

K = TrackingEventKind
BASE = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
_shops = count()

GROUPS = """
{ caseGroups { action carrier place scenario count moneyAtRisk soonestDueAt
    message { zhCn en placeholders } }
  disruptions { carrier place count firstSeen } }
"""


async def _parcel(
    session: AsyncSession,
    shop: Shop,
    number: str,
    carrier: str | None,
    events: list[tuple[datetime, K, str]],
    status: OrderStatus = OrderStatus.SHIPPED,
    confirmed_at: datetime = NOW - timedelta(days=6),
    city: str | None = None,
) -> None:
    order = Order(
        destination_province="浙江省" if city else None,
        destination_city=city,
        shop_id=shop.id,
        order_number=number,
        platform=Platform.PDD,
        amount=Decimal("39.90"),
        status=status,
        confirmed_at=confirmed_at,
        group_formed_at=confirmed_at,
    )
    session.add(order)
    await session.flush()
    if carrier is None:
        return
    shipment = Shipment(
        shop_id=shop.id,
        order_id=order.id,
        carrier=carrier,
        tracking_number=f"T-{number}",
        tracking_uploaded_at=confirmed_at + timedelta(hours=2),
    )
    session.add(shipment)
    await session.flush()
    for at, kind, place in events:
        session.add(
            TrackingEvent(shop_id=shop.id, shipment_id=shipment.id, at=at, kind=kind, place=place)
        )
    await session.flush()


def _stuck_at(place: str) -> list[tuple[datetime, K, str]]:
    start = NOW - timedelta(days=6) + timedelta(hours=3)
    return [(start, K.PICKUP, "义乌"), (start + timedelta(hours=5), K.SORTING_DEPARTURE, place)]


async def test_a_stall_of_enough_parcels_is_a_disruption_with_its_own_group(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    for i in range(20):
        await _parcel(session, shop, f"HZ-{i}", "ZTO", _stuck_at("杭州转运中心"))
    for i in range(19):  # one short of the policy's 20
        await _parcel(session, shop, f"GZ-{i}", "ZTO", _stuck_at("广州转运中心"))
    await _parcel(session, shop, "UNSHIPPED", None, [], OrderStatus.AWAITING_SHIPMENT, NOW)
    # not shipped yet: two bound for Hangzhou (the disrupted place), one for Guangzhou
    for number, city in (("TO-HZ-1", "杭州市"), ("TO-HZ-2", "杭州市"), ("TO-GZ", "广州市")):
        await _parcel(session, shop, number, None, [], OrderStatus.AWAITING_SHIPMENT, NOW, city)
    await session.commit()
    token = await make_token(session, shop, Role.AGENT)
    data = await gql_data(client, token, GROUPS)
    [disruption] = data["disruptions"]
    assert disruption["carrier"] == "ZTO" and disruption["place"] == "杭州转运中心"
    assert disruption["count"] == 20
    assert datetime.fromisoformat(disruption["firstSeen"]) == _stuck_at("杭州转运中心")[1][0]
    by_place = {(g["place"], g["scenario"]): g for g in data["caseGroups"]}
    hz, gz = by_place["杭州转运中心", "SHIPPED_NOT_SIGNED"], by_place["广州转运中心", None]
    assert (hz["action"], hz["count"], hz["scenario"]) == (
        "CONTACT_CARRIER",
        20,
        "SHIPPED_NOT_SIGNED",
    )
    assert (gz["count"], gz["scenario"]) == (19, None)
    # the message is written once for the group: the place filled, per-buyer parts left open
    assert "杭州转运中心" in hz["message"]["zhCn"] and "杭州转运中心" in hz["message"]["en"]
    for text in (hz["message"]["zhCn"], hz["message"]["en"]):
        assert "{orderNumber}" in text and "{trackingNumber}" in text
    assert "HZ-0" not in hz["message"]["zhCn"]
    assert by_place["", None]["carrier"] == "" and by_place["", None]["count"] == 2
    # the disruption's other scenario: the unshipped orders bound for its place
    held = by_place["杭州转运中心", "UNSHIPPED"]
    assert (held["carrier"], held["count"]) == ("ZTO", 2)
    assert held["message"]["zhCn"] != hz["message"]["zhCn"]
    for text in (held["message"]["zhCn"], held["message"]["en"]):
        assert "杭州转运中心" in text and "{orderNumber}" in text and "{trackingNumber}" not in text

    # another shop sees none of it
    other = await make_shop(session, "shop-b")
    outsider = await make_token(session, other, Role.AGENT)
    assert await gql_data(client, outsider, GROUPS) == {"caseGroups": [], "disruptions": []}


@st.composite
def parcel_specs(draw: st.DrawFn) -> dict[str, Any]:
    confirmed = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
    status = draw(st.sampled_from([OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED]))
    events = []
    at = confirmed + timedelta(hours=3)
    for kind in draw(
        st.lists(st.sampled_from([K.PICKUP, K.SORTING_DEPARTURE, K.EXCEPTION]), max_size=3)
    ):
        at += timedelta(minutes=draw(st.integers(1, 60 * 30)))
        events.append((at, kind, draw(st.sampled_from(["", "杭州", "广州"]))))
    carrier = (
        None if status is OrderStatus.AWAITING_SHIPMENT else draw(st.sampled_from(["ZTO", "YTO"]))
    )
    city = draw(st.sampled_from([None, "杭州市", "广州市"]))
    return {
        "confirmed": confirmed,
        "status": status,
        "carrier": carrier,
        "events": events,
        "city": city,
    }


Key = tuple[str, str, str, str | None]
Totals = tuple[int, Decimal, datetime | None, datetime | None]


async def _brute(session: AsyncSession, shop_id: int, min_parcels: int) -> dict[Key, Totals]:
    """Group the queued case states in Python, from the rows one by one: by action,
    carrier and last-scan place; then, where enough chase-the-carrier parcels of one
    carrier stall at one place, those parcels are that disruption's SHIPPED_NOT_SIGNED
    group and the unshipped orders whose city the place names its UNSHIPPED group."""
    states = (
        (
            await session.execute(
                select(CaseState).where(
                    CaseState.shop_id == shop_id, CaseState.queue_rank.is_not(None)
                )
            )
        )
        .scalars()
        .all()
    )
    items = []
    for s in states:
        order = await session.get(Order, s.order_id)
        assert order is not None
        ships = (
            (await session.execute(select(Shipment).where(Shipment.order_id == s.order_id)))
            .scalars()
            .all()
        )
        carrier, place, scan = "", "", None
        if ships:
            latest = max(ships, key=lambda x: x.id)
            carrier = latest.carrier or ""
            events = (
                (
                    await session.execute(
                        select(TrackingEvent).where(TrackingEvent.shipment_id == latest.id)
                    )
                )
                .scalars()
                .all()
            )
            if events:
                last = max(events, key=lambda e: (e.at, e.id))
                place, scan = last.place, last.at
        assert s.action is not None
        items.append((s, s.action.value, carrier, place, scan, bool(ships), order.destination_city))

    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for _, action, carrier, place, _, _, _ in items:
        if action == "CONTACT_CARRIER" and carrier and place:
            sizes[(carrier, place)] += 1
    stuck = sorted((k for k, n in sizes.items() if n >= min_parcels), key=lambda k: (-sizes[k], *k))

    out: dict[Key, list[Any]] = defaultdict(lambda: [0, Decimal("0.00"), None, None])
    for s, action, carrier, place, scan, shipped, city in items:
        key: Key = (action, carrier, place, None)
        if shipped and action == "CONTACT_CARRIER" and (carrier, place) in stuck:
            key = (action, carrier, place, "SHIPPED_NOT_SIGNED")
        elif not shipped and city:
            hit = next((k for k in stuck if city.removesuffix("市") in k[1]), None)
            if hit is not None:
                key = (action, hit[0], hit[1], "UNSHIPPED")
        g = out[key]
        g[0] += 1
        g[1] += s.money_at_risk or Decimal(0)
        g[2] = s.due_at if g[2] is None or (s.due_at and s.due_at < g[2]) else g[2]
        g[3] = scan if g[3] is None or (scan and scan < g[3]) else g[3]
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items()}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(parcel_specs(), min_size=1, max_size=10), hours=st.integers(0, 24 * 8))
async def test_groups_equal_a_brute_force_grouping(
    session: AsyncSession, specs: list[dict[str, Any]], hours: int
) -> None:
    shop = Shop(slug=f"groups-{next(_shops)}", name="G", platform=Platform.PDD)
    session.add(shop)
    await session.flush()
    for i, spec in enumerate(specs):
        await _parcel(
            session,
            shop,
            f"P-{i}",
            spec["carrier"],
            spec["events"],
            spec["status"],
            spec["confirmed"],
            spec["city"],
        )
    await session.commit()
    now = BASE + timedelta(hours=hours)
    await refresh_stale(session, shop.id, now)
    await session.commit()
    # two parcels make a disruption here, so that small examples have some
    found = {
        (g.action.value, g.carrier, g.place, g.scenario): (
            g.count,
            g.money_at_risk,
            g.soonest_due,
            g.first_scan,
        )
        for g in await groups.groups(session, shop.id, min_parcels=2)
    }
    assert found == await _brute(session, shop.id, 2)


async def test_the_states_caseGroups_recomputes_stay_recomputed(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    # given a parcel uploaded an hour ago: its state turns stale at the 24 h pickup limit
    shop = await make_shop(session)
    await _parcel(session, shop, "P-1", "ZTO", [], confirmed_at=NOW - timedelta(hours=3))
    shop_id = shop.id
    await session.commit()
    token = await make_token(session, shop, Role.AGENT)
    clock = Clock(NOW + timedelta(days=1))
    async with clocked_client(settings, engine, clock) as client:
        # when the groups are read after that
        data = await gql_data(client, token, "{ caseGroups { action count } }")
    assert data["caseGroups"] == [{"action": "CONTACT_CARRIER", "count": 1}]
    # then the read kept the recomputed state: the next read has nothing to redo
    session.expire_all()
    state = (
        await session.execute(select(CaseState).where(CaseState.shop_id == shop_id))
    ).scalar_one()
    assert state.computed_at == clock.now
