"""The stored case state: written with every write, equal to a fresh decision."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import CaseState, Exemption, Shop
from service.decision import Action
from service.decision.facts import OrderStatus, RefundReason, RefundStatus, TrackingEventKind
from service.store import case_state
from tests.conftest import make_shop
from tests.factories import NOW, make_order, make_refund, make_shipment
from tests.store.brute import decisions


async def _states(session: AsyncSession, shop_id: int) -> dict[tuple[str, int], CaseState]:
    rows = await session.execute(
        select(CaseState)
        .where(CaseState.shop_id == shop_id)
        .execution_options(populate_existing=True)
    )
    return {(r.kind, r.entity_id): r for r in rows.scalars()}


async def _refresh_all(session: AsyncSession, shop_id: int, now: object) -> None:
    ids = [k[1] for k in await _states(session, shop_id) if k[0] == "ORDER"]
    await session.run_sync(lambda s: case_state.refresh_orders(s, ids, now))  # type: ignore[arg-type]
    await session.commit()


async def _arrange(session: AsyncSession) -> Shop:
    shop = await make_shop(session)
    await make_order(session, shop, "LATE", confirmed_at=NOW - timedelta(hours=60))
    await make_order(session, shop, "SOON", confirmed_at=NOW - timedelta(hours=40))
    await make_order(session, shop, "DONE", status=OrderStatus.COMPLETED)
    waiting = await make_order(session, shop, "REF", confirmed_at=NOW - timedelta(hours=30))
    await make_refund(session, waiting, "RF-1", reason=RefundReason.NO_LONGER_WANTED)
    agreed = await make_order(session, shop, "AGREED", confirmed_at=NOW - timedelta(hours=20))
    await make_refund(session, agreed, "RF-2", status=RefundStatus.AGREED)
    sent = await make_order(
        session,
        shop,
        "SENT",
        status=OrderStatus.SHIPPED,
        confirmed_at=NOW - timedelta(hours=30),
    )
    await make_shipment(
        session,
        sent,
        uploaded_at=NOW - timedelta(hours=3),
        picked_up_at=NOW - timedelta(hours=2),
        events=((NOW - timedelta(hours=2), TrackingEventKind.PICKUP),),
    )
    await session.commit()
    return shop


async def test_every_order_and_refund_gets_a_state_on_commit(session: AsyncSession) -> None:
    # given orders and refunds written through the ORM and committed
    shop = await _arrange(session)

    # then each has exactly one row, computed by the commit
    states = await _states(session, shop.id)
    assert sorted(k[0] for k in states) == ["ORDER"] * 6 + ["REFUND_REQUEST"] * 2
    assert all(s.rules_version == case_state.RULES_VERSION for s in states.values())


async def test_states_equal_fresh_decisions(session: AsyncSession) -> None:
    shop = await _arrange(session)
    for now in (NOW, NOW + timedelta(hours=7), NOW + timedelta(days=3)):
        # when the states are computed at now
        await _refresh_all(session, shop.id, now)
        states = await _states(session, shop.id)
        fresh = await decisions(session, shop.id, now)

        # then the open rows are exactly the cases, each with its fresh decision
        assert {k for k, s in states.items() if s.open} == set(fresh)
        for key, d in fresh.items():
            s = states[key]
            assert d is not None
            urgent = d.urgent_deadline
            assert (s.action, s.rule_id, s.overdue, s.proactive) == (
                d.action,
                d.rule_id,
                d.overdue,
                d.proactive,
            ), key
            assert s.due_at == (urgent.at if urgent else None), key
            assert s.stale_at is None or s.stale_at > now
        assert all(s.queue_rank is None for s in states.values() if not s.open)


async def test_overdue_unshipped_order_is_ranked_first(session: AsyncSession) -> None:
    shop = await _arrange(session)
    await _refresh_all(session, shop.id, NOW)
    late = next(s for s in (await _states(session, shop.id)).values() if s.rule_id == "V3")
    assert (late.action, late.overdue, late.queue_rank) == (
        Action.APOLOGIZE_AND_PROMISE,
        True,
        0,
    )


async def test_a_policy_change_restales_the_shop(session: AsyncSession) -> None:
    # given fresh states
    shop = await _arrange(session)
    other = await make_shop(session, "shop-b")
    await make_order(session, other, "B-1")
    await session.commit()
    await _refresh_all(session, shop.id, NOW)

    # when the shop's policy changes
    shop.ship_window_hours = 72
    await session.commit()

    # then every one of its states is stale, and the other shop's are not
    assert all(s.stale_at == case_state.EPOCH for s in (await _states(session, shop.id)).values())
    assert all(s.stale_at != case_state.EPOCH for s in (await _states(session, other.id)).values())


async def test_shops_are_read_with_their_standing_exemptions_alone(
    session: AsyncSession,
) -> None:
    # given a shop with two exemptions and a revoked one, and a shop with none
    exempt = await make_shop(session, "exempt")
    plain = await make_shop(session, "plain")
    period = {"starts_at": NOW - timedelta(days=1), "ends_at": NOW + timedelta(days=1)}
    given = (("ZTO", None, None), ("YTO", "金华市", None), ("STO", None, NOW))
    for carrier, city, revoked in given:
        session.add(
            Exemption(
                shop_id=exempt.id,
                carrier=carrier,
                province="浙江省",
                city=city,
                revoked_at=revoked,
                **period,
            )
        )
    await session.commit()
    # when both are read for a refresh
    shops, standing = await session.run_sync(
        case_state.shops_and_exemptions, [plain.id, exempt.id, plain.id]
    )
    # then each shop comes once, as its row, with its exemptions not revoked, in order
    assert {i: s.slug for i, s in shops.items()} == {exempt.id: "exempt", plain.id: "plain"}
    got = {shop: [(x.carrier, x.city) for x in xs] for shop, xs in standing.items()}
    assert got == {exempt.id: [("ZTO", None), ("YTO", "金华市")]}
    assert all(x.starts_at == period["starts_at"] for x in standing[exempt.id])


async def test_an_order_is_decided_on_its_latest_parcel(session: AsyncSession) -> None:
    # given a shipped order whose first parcel was picked up and a second one that was
    # uploaded later by another carrier, and an order with no parcel
    shop = await make_shop(session)
    order = await make_order(
        session, shop, "TWO", status=OrderStatus.SHIPPED, confirmed_at=NOW - timedelta(hours=40)
    )
    await make_shipment(
        session,
        order,
        uploaded_at=NOW - timedelta(hours=30),
        picked_up_at=NOW - timedelta(hours=29),
        events=((NOW - timedelta(hours=29), TrackingEventKind.PICKUP),),
        tracking_number="ZT-FIRST",
    )
    second = await make_shipment(
        session, order, uploaded_at=NOW - timedelta(hours=3), tracking_number="YT-SECOND"
    )
    second.carrier = "YTO"
    await make_order(session, shop, "NONE", confirmed_at=NOW - timedelta(hours=2))
    await session.commit()
    # when the states are computed
    await _refresh_all(session, shop.id, NOW)
    states = await _states(session, shop.id)
    fresh = await decisions(session, shop.id, NOW)
    # then the order's state is the latest parcel's: its carrier, its (missing) pickup
    by_order = {s.order_id: s for s in states.values()}
    two, none = by_order[order.id], next(s for s in states.values() if s.order_id != order.id)
    assert (two.carrier, two.shipped, two.last_scan_at) == ("YTO", True, None)
    assert (none.carrier, none.shipped) == (None, False)
    for key, d in fresh.items():
        assert d is not None
        assert (states[key].action, states[key].rule_id) == (d.action, d.rule_id), key
