"""When a decision can next change with no new facts.

Every time comparison the rules make is "now against a fact time plus a policy
duration" (ship-by, respond-by, pickup limit, stagnation limits, appeal window, the
long-after-signing limit, the tracking-message window) or against a deadline the
decision itself lists. A comparison flips at its boundary ``b`` (``now < b``) or one
microsecond after it (``now > b``), so the next change is the earliest of those
instants after ``now``. A stored decision is exact until then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from service.decision.derive import Ctx, floor_hour
from service.decision.facts import CaseFacts
from service.decision.outcome import Decision
from service.decision.policy import Policy

_TICK = timedelta(microseconds=1)
_HOUR = timedelta(hours=1)


def boundaries(case: CaseFacts, decision: Decision, policy: Policy) -> list[datetime]:
    """Every instant at which a rule's time comparison for ``case`` can flip."""
    now = decision.evaluated_at
    c = Ctx(case, now, policy)
    out: list[datetime | None] = [
        case.order.confirmed_at,
        c.ship_by,
        c.respond_by,
        c.pickup_by,
        c.anomaly_due,
    ]
    if c.signed_at is not None:
        out.append(c.signed_at + policy.long_after_signing_td)
    rf = case.refund
    if rf is not None and rf.refunded_at is not None:
        out.append(rf.refunded_at + policy.appeal_opens_td)
        out.append(rf.refunded_at + policy.appeal_closes_td)
    up = c.shipment.tracking_uploaded_at
    if up is not None:
        out.append(up + policy.inform_tracking_td)
    out.extend(d.at for d in decision.deadlines)
    if case.inquiry is not None:
        # U3 promises "now + late hours" rounded up to the hour: it moves just after
        # every whole hour (just after now, when now is one).
        out.append(floor_hour(now))
        out.append(floor_hour(now) + _HOUR)
    return [b for b in out if b is not None]


def next_change(case: CaseFacts, decision: Decision, policy: Policy) -> datetime | None:
    """The first instant after ``decision.evaluated_at`` at which deciding ``case``
    again could give another action, rule, deadline or overdue flag; None if never."""
    return earliest_after(boundaries(case, decision, policy), decision.evaluated_at)


def earliest_after(instants: list[datetime], now: datetime) -> datetime | None:
    """The earliest of ``b`` and ``b`` + 1 µs over ``instants`` that is after ``now``."""
    best: datetime | None = None
    for b in instants:
        x = b if b > now else b + _TICK
        if x > now and (best is None or x < best):
            best = x
    return best
