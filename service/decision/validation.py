"""Consistency checks on facts before any rule reads them.

A rule engine fed contradictory facts gives confident nonsense, so ``decide``
refuses them and lists every problem at once (the GraphQL layer maps each
:class:`Problem` to an error with its field path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from service.decision.facts import CaseFacts, RefundStatus, TrackingEventKind

# Decimal-to-Decimal comparison is about twice as fast as Decimal-to-int.
_NO_MONEY = Decimal(0)


@dataclass(frozen=True, slots=True)
class Problem:
    """One inconsistency; ``field`` is a dotted path such as ``shipment.events[2].at``."""

    field: str
    message: str


class InconsistentFacts(ValueError):
    """The facts contradict each other; ``problems`` lists every contradiction."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def _naive(dt: datetime | None) -> bool:
    # tzinfo is checked, not utcoffset(): a tzinfo answering None is not a real zone
    # anyone sends, and this check runs on every decide call.
    return dt is not None and dt.tzinfo is None


def _has_naive(case: CaseFacts) -> bool:
    # Inlined (no helper call per stamp): this runs on every decide call.
    o = case.order
    if o.confirmed_at.tzinfo is None:
        return True
    for dt in (o.group_formed_at, o.ship_by):
        if dt is not None and dt.tzinfo is None:
            return True
    sh = case.shipment
    if sh is not None:
        for dt in (sh.shipped_offline_at, sh.tracking_uploaded_at, sh.picked_up_at):
            if dt is not None and dt.tzinfo is None:
                return True
        for e in sh.events:
            if e.at.tzinfo is None:
                return True
    rf = case.refund
    if rf is None:
        return False
    if rf.requested_at.tzinfo is None:
        return True
    dt = rf.refunded_at
    return dt is not None and dt.tzinfo is None


def _naive_problems(case: CaseFacts) -> list[Problem]:
    order = case.order
    stamps: list[tuple[str, datetime | None]] = [
        ("order.confirmed_at", order.confirmed_at),
        ("order.group_formed_at", order.group_formed_at),
        ("order.ship_by", order.ship_by),
    ]
    sh = case.shipment
    if sh is not None:
        stamps += [
            ("shipment.shipped_offline_at", sh.shipped_offline_at),
            ("shipment.tracking_uploaded_at", sh.tracking_uploaded_at),
            ("shipment.picked_up_at", sh.picked_up_at),
        ]
        stamps += [(f"shipment.events[{i}].at", e.at) for i, e in enumerate(sh.events)]
    rf = case.refund
    if rf is not None:
        stamps += [("refund.requested_at", rf.requested_at), ("refund.refunded_at", rf.refunded_at)]
    return [Problem(n, "datetime has no time zone") for n, dt in stamps if _naive(dt)]


def check_facts(case: CaseFacts) -> tuple[Problem, ...]:
    """List every inconsistency in ``case`` (empty tuple when consistent)."""
    out: list[Problem] = []
    add = out.append
    order = case.order
    sh = case.shipment
    rf = case.refund
    # Naive datetimes are checked first: comparing them with aware ones would raise.
    naive = _has_naive(case)
    if naive:
        out.extend(_naive_problems(case))

    if order.amount <= _NO_MONEY:
        add(Problem("order.amount", f"must be positive, got {order.amount}"))
    if rf is not None:
        if rf.amount is not None:
            if rf.amount <= _NO_MONEY:
                add(Problem("refund.amount", f"must be positive, got {rf.amount}"))
            elif rf.amount > order.amount:
                add(Problem("refund.amount", f"{rf.amount} exceeds order amount {order.amount}"))
        if rf.order_number != order.order_number:
            add(
                Problem(
                    "refund.order_number",
                    f"refund is for order {rf.order_number}, case is order {order.order_number}",
                )
            )
        if rf.free_reissues_given < 0:
            add(Problem("refund.free_reissues_given", "must not be negative"))
        if rf.status is RefundStatus.REFUNDED and rf.refunded_at is None:
            add(Problem("refund.refunded_at", "status is REFUNDED but no refund time is given"))
        if rf.platform_refund is not None and rf.status is not RefundStatus.REFUNDED:
            add(Problem("refund.platform_refund", "set although the refund is not REFUNDED"))
    if sh is not None:
        if sh.expected_weight_g is not None and sh.expected_weight_g < 0:
            add(Problem("shipment.expected_weight_g", "must not be negative"))
        if sh.recorded_weight_g is not None and sh.recorded_weight_g < 0:
            add(Problem("shipment.recorded_weight_g", "must not be negative"))
    if naive:
        return tuple(out)

    conf = order.confirmed_at
    if order.group_formed_at is not None and order.group_formed_at < conf:
        add(Problem("order.group_formed_at", "precedes order confirmation"))
    if order.ship_by is not None and order.ship_by < conf:
        add(Problem("order.ship_by", "precedes order confirmation"))
    if sh is not None:
        for name, dt in (
            ("shipment.shipped_offline_at", sh.shipped_offline_at),
            ("shipment.tracking_uploaded_at", sh.tracking_uploaded_at),
            ("shipment.picked_up_at", sh.picked_up_at),
        ):
            if dt is not None and dt < conf:
                add(Problem(name, "precedes order confirmation"))
        up = sh.tracking_uploaded_at
        # A pickup scan can precede the online upload only when shipped offline first.
        if (
            sh.picked_up_at is not None
            and up is not None
            and sh.picked_up_at < up
            and (sh.shipped_offline_at is None or sh.picked_up_at < sh.shipped_offline_at)
        ):
            add(Problem("shipment.picked_up_at", "precedes tracking upload"))
        first_ship = _earliest(sh.shipped_offline_at, up)
        signed_seen = False
        for i, e in enumerate(sh.events):
            if e.at < conf:
                add(Problem(f"shipment.events[{i}].at", "precedes order confirmation"))
            elif first_ship is not None and e.at < first_ship:
                add(Problem(f"shipment.events[{i}].at", "precedes shipment"))
            if e.kind is TrackingEventKind.SIGNED:
                signed_seen = True
        if signed_seen and first_ship is None:
            add(Problem("shipment.events", "signed although never shipped nor uploaded"))
        if sh.signer is not None and first_ship is None:
            add(Problem("shipment.signer", "signer given although never shipped nor uploaded"))
    if rf is not None:
        if rf.requested_at < conf:
            add(Problem("refund.requested_at", "precedes order confirmation"))
        if rf.refunded_at is not None and rf.refunded_at < rf.requested_at:
            add(Problem("refund.refunded_at", "precedes the refund request"))
    return tuple(out)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if a <= b else b
