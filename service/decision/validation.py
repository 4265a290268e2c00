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
_SIGNED = TrackingEventKind.SIGNED


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


# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
REFUNDED = RefundStatus.REFUNDED


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
    # utcoffset(), not tzinfo: a tzinfo that answers None is naive for comparisons too.
    return [
        Problem(n, "datetime has no time zone")
        for n, dt in stamps
        if dt is not None and dt.utcoffset() is None
    ]


def check_facts(case: CaseFacts) -> tuple[Problem, ...]:
    """List every inconsistency in ``case`` (empty tuple when consistent).

    Datetimes without a time zone come first; when there are any, the order of
    events is not judged (it cannot be, against aware ones).
    """
    if case.order.confirmed_at.tzinfo is not None:
        # Every other stamp is compared, directly or through another, with the aware
        # confirmation time, so a naive one raises TypeError here. Checking each
        # stamp's zone up front would cost as much as all the other checks together.
        try:
            return _order_problems(case, _value_problems(case))
        except TypeError:
            pass
    naive = _naive_problems(case)
    if not naive:  # the TypeError came from elsewhere: let it surface
        return _order_problems(case, _value_problems(case))
    return (*naive, *_value_problems(case))


def _value_problems(case: CaseFacts) -> list[Problem]:
    """Amounts, counts and fields that must agree with each other (no time involved)."""
    out: list[Problem] = []
    order = case.order
    if order.amount <= _NO_MONEY:
        out.append(Problem("order.amount", f"must be positive, got {order.amount}"))
    rf = case.refund
    if rf is not None:
        if rf.amount is not None:
            if rf.amount <= _NO_MONEY:
                out.append(Problem("refund.amount", f"must be positive, got {rf.amount}"))
            elif rf.amount > order.amount:
                out.append(
                    Problem("refund.amount", f"{rf.amount} exceeds order amount {order.amount}")
                )
        if rf.order_number != order.order_number:
            out.append(
                Problem(
                    "refund.order_number",
                    f"refund is for order {rf.order_number}, case is order {order.order_number}",
                )
            )
        if rf.free_reissues_given < 0:
            out.append(Problem("refund.free_reissues_given", "must not be negative"))
        if rf.status is REFUNDED and rf.refunded_at is None:
            out.append(
                Problem("refund.refunded_at", "status is REFUNDED but no refund time is given")
            )
        if rf.platform_refund is not None and rf.status is not REFUNDED:
            out.append(Problem("refund.platform_refund", "set although the refund is not REFUNDED"))
    sh = case.shipment
    if sh is not None:
        if sh.expected_weight_g is not None and sh.expected_weight_g < 0:
            out.append(Problem("shipment.expected_weight_g", "must not be negative"))
        if sh.recorded_weight_g is not None and sh.recorded_weight_g < 0:
            out.append(Problem("shipment.recorded_weight_g", "must not be negative"))
    return out


def _order_problems(case: CaseFacts, out: list[Problem]) -> tuple[Problem, ...]:
    """``out`` and then every event in an impossible order. Raises TypeError when a
    naive datetime meets an aware one."""
    order = case.order
    conf = order.confirmed_at
    if order.group_formed_at is not None and order.group_formed_at < conf:
        out.append(Problem("order.group_formed_at", "precedes order confirmation"))
    if order.ship_by is not None and order.ship_by < conf:
        out.append(Problem("order.ship_by", "precedes order confirmation"))
    sh = case.shipment
    if sh is not None:
        offline = sh.shipped_offline_at
        up = sh.tracking_uploaded_at
        picked = sh.picked_up_at
        if offline is not None and offline < conf:
            out.append(Problem("shipment.shipped_offline_at", "precedes order confirmation"))
        if up is not None and up < conf:
            out.append(Problem("shipment.tracking_uploaded_at", "precedes order confirmation"))
        if picked is not None:
            if picked < conf:
                out.append(Problem("shipment.picked_up_at", "precedes order confirmation"))
            # A pickup scan can precede the online upload only when shipped offline first.
            if up is not None and picked < up and (offline is None or picked < offline):
                out.append(Problem("shipment.picked_up_at", "precedes tracking upload"))
        if offline is None:
            first_ship = up
        elif up is None or offline <= up:
            first_ship = offline
        else:
            first_ship = up
        events = sh.events
        if events:
            # One comparison per event in the usual case; the index is only worked out
            # for an event that is out of place.
            lo = conf if first_ship is None or first_ship < conf else first_ship
            for i, e in enumerate(events):
                at = e.at
                if at < lo:
                    where = f"shipment.events[{i}].at"
                    if at < conf:
                        out.append(Problem(where, "precedes order confirmation"))
                    else:
                        out.append(Problem(where, "precedes shipment"))
            if first_ship is None and any(e.kind is _SIGNED for e in events):
                out.append(Problem("shipment.events", "signed although never shipped nor uploaded"))
        if sh.signer is not None and first_ship is None:
            out.append(
                Problem("shipment.signer", "signer given although never shipped nor uploaded")
            )
    rf = case.refund
    if rf is not None:
        if rf.requested_at < conf:
            out.append(Problem("refund.requested_at", "precedes order confirmation"))
        if rf.refunded_at is not None and rf.refunded_at < rf.requested_at:
            out.append(Problem("refund.refunded_at", "precedes the refund request"))
    return tuple(out)
