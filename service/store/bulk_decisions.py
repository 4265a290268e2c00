"""Many cases' decisions in a handful of statements (``recordActions``).

The DataLoaders serve a page of a few dozen cases; for hundreds at once their per-key
futures cost more than the SQL. Here the facts of every case are read as plain rows
(see :func:`service.db.rows.columns`), a statement per table, and decided in
one loop, as the refresh decides a chunk of orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import EvidenceItem, Order, RefundRequest, Shipment, TrackingEvent
from service.db.rows import columns
from service.decision import Decision, InconsistentFacts, decide
from service.decision.policy import Policy
from service.decision.validation import Problem
from service.store.case_state import CHUNK, shops_and_exemptions
from service.store.facts import case_facts, shop_policy, stored_times

ORDER = "ORDER"
REFUND_REQUEST = "REFUND_REQUEST"
CaseRef = tuple[str, int]

_OUT_OF_RANGE = InconsistentFacts(
    (
        Problem(
            "case", "a stored time lies outside the supported calendar range; correct the record"
        ),
    )
)


@dataclass(frozen=True, slots=True)
class Decided:
    """A case found in the shop: its order id, refund id, and its decision or the
    contradiction in its facts."""

    order_id: int
    refund_id: int | None
    decision: Decision | None
    inconsistent: InconsistentFacts | None = None


def _rows(session: Session, model: Any, column: Any, shop_id: int, ids: Sequence[int]) -> list[Any]:
    out: list[Any] = []
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        stmt = (
            select(*columns(model))
            .where(model.shop_id == shop_id, column.in_(ids[start : start + CHUNK]))
            .order_by(model.id)
        )
        out.extend(session.execute(stmt).all())
    return out


def decide_cases(
    session: Session, shop_id: int, refs: Sequence[CaseRef], now: datetime
) -> dict[CaseRef, Decided]:
    """The decision at ``now`` of each case of the shop among ``refs``; a ref that is
    not the shop's is absent from the answer."""
    refunds = {
        r.id: r
        for r in _rows(
            session,
            RefundRequest,
            RefundRequest.id,
            shop_id,
            [pk for kind, pk in refs if kind == REFUND_REQUEST],
        )
    }
    wanted = [pk for kind, pk in refs if kind == ORDER] + [r.order_id for r in refunds.values()]
    orders = {o.id: o for o in _rows(session, Order, Order.id, shop_id, wanted)}
    if not orders:
        return {}
    shops, exemptions = shops_and_exemptions(session, [shop_id])
    shop = shops[shop_id]
    latest: dict[int, Any] = {}
    for sh in _rows(session, Shipment, Shipment.order_id, shop_id, list(orders)):
        latest[sh.order_id] = sh  # ordered by id: the last one wins
    events: dict[int, list[Any]] = {}
    for ev in _rows(
        session, TrackingEvent, TrackingEvent.shipment_id, shop_id, [s.id for s in latest.values()]
    ):
        events.setdefault(ev.shipment_id, []).append(ev)
    evidence: dict[int, list[Any]] = {}
    for e in _rows(session, EvidenceItem, EvidenceItem.order_id, shop_id, list(orders)):
        evidence.setdefault(e.order_id, []).append(e)
    standing = exemptions.get(shop_id, [])
    policies: dict[Any, Policy] = {}  # by platform: one shop, so one or two policies
    out: dict[CaseRef, Decided] = {}
    for ref in refs:
        kind, pk = ref
        refund = refunds.get(pk) if kind == REFUND_REQUEST else None
        order = orders.get(refund.order_id if refund is not None else pk)
        if order is None or (kind == REFUND_REQUEST and refund is None):
            continue
        shipment = latest.get(order.id)
        facts = case_facts(
            order,
            shipment,
            events.get(shipment.id, []) if shipment is not None else [],
            evidence.get(order.id, []),
            refund,
            exemptions=standing if order.destination_province is not None else (),
        )
        policy = policies.get(order.platform)
        if policy is None:
            policy = policies[order.platform] = shop_policy(shop, order.platform)
        try:
            decision = decide(facts, now, policy)
        except InconsistentFacts as exc:
            out[ref] = Decided(order.id, refund.id if refund else None, None, exc)
        except (OverflowError, ValueError):
            # As the page loaders do: a row stored before times were range-checked on
            # the way in fails its own case, not the call; anything else is a bug.
            if all(2000 <= t.year < 2100 for t in stored_times(facts)):
                raise
            out[ref] = Decided(order.id, refund.id if refund else None, None, _OUT_OF_RANGE)
        else:
            out[ref] = Decided(order.id, refund.id if refund else None, decision)
    return out
