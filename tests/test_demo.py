"""The demo data: every case decides the rule its name claims, on both backends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.base import Base
from service.db.models import EvidenceItem, Order, RefundRequest, Shipment, Shop, TrackingEvent
from service.decision import Action, Decision, Inquiry, RiskKind, decide
from service.demo import KUAISHOU_CASES, PDD_CASES, seed_demo
from service.store.facts import case_facts, shop_policy

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoDecision:
    order_number: str
    refund_number: str | None
    inquiry: Inquiry | None
    decision: Decision


def _claimed_rule(order_number: str) -> str:
    """ "PDD-R4-in-transit" claims R4; "PDD-P-..." would be a monitored order (P0)."""
    claim = order_number.split("-")[1]
    return "P0" if claim == "P" else claim


def _inquiry_for(order_number: str) -> Inquiry | None:
    """Urge cases are asked as the buyer's URGE_SHIPMENT message, S9 as DOOR_DELIVERY."""
    claim = _claimed_rule(order_number)
    if claim.startswith("U"):
        return Inquiry.URGE_SHIPMENT
    if claim == "S9":
        return Inquiry.DOOR_DELIVERY
    return None


async def _decide_every_case(session: AsyncSession) -> list[DemoDecision]:
    """Decide each stored refund request, and each order without one, at NOW."""
    out: list[DemoDecision] = []
    orders = (await session.execute(select(Order).order_by(Order.id))).scalars().all()
    for order in orders:
        shop = await session.get(Shop, order.shop_id)
        assert shop is not None
        shipment = (
            await session.execute(select(Shipment).where(Shipment.order_id == order.id))
        ).scalar_one_or_none()
        events = (
            list(
                (
                    await session.execute(
                        select(TrackingEvent).where(TrackingEvent.shipment_id == shipment.id)
                    )
                ).scalars()
            )
            if shipment is not None
            else []
        )
        evidence = list(
            (
                await session.execute(select(EvidenceItem).where(EvidenceItem.order_id == order.id))
            ).scalars()
        )
        refunds = list(
            (
                await session.execute(
                    select(RefundRequest).where(RefundRequest.order_id == order.id)
                )
            ).scalars()
        )
        inquiry = None if refunds else _inquiry_for(order.order_number)
        candidates: list[RefundRequest | None] = [*refunds] or [None]
        for refund in candidates:
            facts = case_facts(order, shipment, events, evidence, refund, inquiry)
            decision = decide(facts, NOW, shop_policy(shop))  # raises InconsistentFacts
            out.append(
                DemoDecision(
                    order.order_number,
                    refund.refund_number if refund is not None else None,
                    inquiry,
                    decision,
                )
            )
    return out


def _by_order(decisions: list[DemoDecision]) -> dict[str, Decision]:
    return {d.order_number: d.decision for d in decisions}


async def _row_counts(session: AsyncSession) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = (
            await session.execute(select(func.count()).select_from(table))
        ).scalar_one()
    return counts


async def test_seed_demo_creates_every_case_and_each_decides_the_rule_its_name_claims(
    session: AsyncSession,
) -> None:
    # given
    created = await seed_demo(session, now=NOW)

    # when
    decisions = await _decide_every_case(session)

    # then
    all_cases = (*PDD_CASES, *KUAISHOU_CASES)
    assert created == len(all_cases)
    assert {d.order_number for d in decisions} == {c.number for c in all_cases}
    assert {d.refund_number for d in decisions if d.refund_number is not None} == {
        c.refund.number for c in all_cases if c.refund is not None
    }
    decided = {d.order_number: d.decision.rule_id for d in decisions}
    claimed = {d.order_number: _claimed_rule(d.order_number) for d in decisions}
    assert decided == claimed


async def test_demo_covers_every_rulebook_family(session: AsyncSession) -> None:
    # given
    await seed_demo(session, now=NOW)

    # when
    decisions = await _decide_every_case(session)

    # then
    families = {d.decision.rule_id[0] for d in decisions}
    assert {"U", "R", "S", "A", "L"} <= families


@pytest.mark.parametrize(
    ("order_number", "action"),
    [
        ("PDD-R4-in-transit", Action.INTERCEPT),
        ("PDD-A1-fast-refund-appeal", Action.APPEAL_FAST_REFUND),
        ("PDD-S1-proxy-signed", Action.CONTACT_CARRIER),
        ("PDD-U2-before-ship-by", Action.PROMISE_SHIP_TIME),
        ("PDD-U3-late", Action.APOLOGIZE_AND_PROMISE),
        ("PDD-U4-out-of-stock", Action.AGREE_REFUND),
        ("KS-L3-remote-stagnant", Action.CONTACT_CARRIER),
        ("KS-S9-door", Action.CONTACT_CARRIER),
    ],
)
async def test_demo_case_recommends_its_action(
    session: AsyncSession, order_number: str, action: Action
) -> None:
    # given
    await seed_demo(session, now=NOW)

    # when
    decision = _by_order(await _decide_every_case(session))[order_number]

    # then
    assert decision.action is action
    assert decision.rule_id == _claimed_rule(order_number)


async def test_demo_no_pickup_case_puts_a_quarter_of_the_order_at_risk(
    session: AsyncSession,
) -> None:
    # given
    await seed_demo(session, now=NOW)
    order = (
        await session.execute(select(Order).where(Order.order_number == "PDD-L1-no-pickup"))
    ).scalar_one()

    # when
    decision = _by_order(await _decide_every_case(session))["PDD-L1-no-pickup"]

    # then
    assert order.amount == Decimal("100.00")
    assert decision.action is Action.CONTACT_CARRIER
    assert decision.rule_id == "L1"
    fines = [m.amount for m in decision.money_at_risk if m.kind is RiskKind.FAKE_LOGISTICS_FINE]
    assert fines == [Decimal("25.00")]


async def test_seeding_twice_adds_nothing(session: AsyncSession) -> None:
    # given
    first = await seed_demo(session, now=NOW)
    counts = await _row_counts(session)

    # when
    second = await seed_demo(session, now=NOW)

    # then
    assert first > 0
    assert second == 0
    assert await _row_counts(session) == counts
    assert counts["orders"] == first
    assert counts["shops"] == 2
