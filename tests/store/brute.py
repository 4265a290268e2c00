"""The brute-force work queue: decide every case of a shop at ``now``, keep those with
something to do by a deadline, sort. What the stored states must always agree with."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import EvidenceItem, Order, RefundRequest, Shipment, Shop, TrackingEvent
from service.decision import Action, Decision, InconsistentFacts, decide
from service.decision.facts import OrderStatus, RefundStatus
from service.store.facts import case_facts, shop_policy

OPEN = (OrderStatus.AWAITING_GROUP, OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED)
RECENT_REFUND = timedelta(days=8)


@dataclass(frozen=True)
class Item:
    kind: str
    entity_id: int
    action: Action
    rule_id: str
    overdue: bool
    due_at: datetime


async def _all(session: AsyncSession, model: Any, shop_id: int) -> list[Any]:
    stmt = select(model).where(model.shop_id == shop_id).order_by(model.id)
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())


async def decisions(
    session: AsyncSession, shop_id: int, now: datetime
) -> dict[tuple[str, int], Decision | None]:
    """Every case of the shop at ``now`` → its fresh decision (None: inconsistent)."""
    shop = await session.get(Shop, shop_id)
    assert shop is not None
    shipments: dict[int, list[Shipment]] = defaultdict(list)
    for s in await _all(session, Shipment, shop_id):
        shipments[s.order_id].append(s)
    events: dict[int, list[TrackingEvent]] = defaultdict(list)
    for e in await _all(session, TrackingEvent, shop_id):
        events[e.shipment_id].append(e)
    evidence: dict[int, list[EvidenceItem]] = defaultdict(list)
    for x in await _all(session, EvidenceItem, shop_id):
        evidence[x.order_id].append(x)
    refunds: dict[int, list[RefundRequest]] = defaultdict(list)
    for r in await _all(session, RefundRequest, shop_id):
        refunds[r.order_id].append(r)

    out: dict[tuple[str, int], Decision | None] = {}
    for order in await _all(session, Order, shop_id):
        sh = shipments[order.id][-1] if shipments[order.id] else None
        evs = events[sh.id] if sh is not None else []
        policy = shop_policy(shop, order.platform)

        open_refunds = [
            r
            for r in refunds[order.id]
            if r.status is RefundStatus.PENDING
            or (
                r.status is RefundStatus.REFUNDED
                and r.platform_refund is not None
                and r.refunded_at is not None
                and r.refunded_at >= now - RECENT_REFUND
            )
        ]
        cases: list[tuple[str, int, RefundRequest | None]] = [
            ("REFUND_REQUEST", r.id, r) for r in open_refunds
        ]
        if order.status in OPEN and not open_refunds:
            cases.append(("ORDER", order.id, None))
        for kind, pk, refund in cases:
            facts = case_facts(order, sh, evs, evidence[order.id], refund)
            try:
                out[kind, pk] = decide(facts, now, policy)
            except InconsistentFacts:
                out[kind, pk] = None
    return out


async def brute_queue(session: AsyncSession, shop_id: int, now: datetime) -> list[Item]:
    items: list[Item] = []
    for (kind, pk), d in (await decisions(session, shop_id, now)).items():
        if d is None or d.action is Action.NO_ACTION:
            continue
        urgent = d.urgent_deadline
        if urgent is None:
            continue
        items.append(Item(kind, pk, d.action, d.rule_id, d.overdue, urgent.at))
    items.sort(key=lambda i: (not i.overdue, i.due_at, i.kind, i.entity_id))
    return items
