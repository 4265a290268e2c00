"""L1–L4: logistics anomalies (seeds 002, 004). They also feed R6 and override U5.

Kuaishou (004) names them 揽收后停滞 / 运转异常 / 派签异常; a force-majeure
exemption removes the penalty risk but not the need to chase the carrier.
"""

from __future__ import annotations

from decimal import Decimal

from service.decision.derive import Ctx
from service.decision.outcome import Action, Deadline, DeadlineKind, MoneyAtRisk, RiskKind
from service.decision.policy import fake_logistics_fine
from service.decision.rules.base import Outcome, fact, rule
from service.decision.timefmt import local_time

FAMILY = "logistics"

_STEPS: dict[str, tuple[str, ...]] = {
    "L1": (
        "Call the carrier's outlet now and get the parcel scanned in",
        "If the parcel was never handed over, ship it and replace the tracking number",
        "Tell the buyer the parcel is on its way and when the first scan is due",
    ),
    "L2": (
        "Ask the carrier why the parcel has not moved since pickup",
        "Check the parcel was not lost or split at the outlet",
        "Update the buyer with what the carrier says",
    ),
    "L3": (
        "Open a carrier ticket for the stalled parcel",
        "Check whether a regional or customs hold explains the stop",
        "Update the buyer with the carrier's answer and a new estimate",
    ),
    "L4": (
        "Ask the carrier's delivery station why the parcel was not signed for",
        "Arrange a new delivery or pickup point with the buyer",
        "Update the buyer with the new delivery time",
    ),
}


# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
CONTACT_CARRIER = Action.CONTACT_CARRIER
FAKE_LOGISTICS_FINE = RiskKind.FAKE_LOGISTICS_FINE
NEXT_TRACKING_UPDATE_BY = DeadlineKind.NEXT_TRACKING_UPDATE_BY


def exempt(c: Ctx) -> bool:
    """A penalty is waived: the order's own flag, or a declared exemption covering it."""
    return c.order.force_majeure_exempt or c.case.exemption is not None


def exemption_note(c: Ctx) -> str:
    """What the rationale adds when a penalty is waived, citing the exemption."""
    ex = c.case.exemption
    if ex is not None:
        region = ex.province if ex.city is None else f"{ex.province} {ex.city}"
        return (
            f" (force-majeure exemption #{ex.number}: {ex.carrier}, {region},"
            f" {local_time(ex.starts_at)} to {local_time(ex.ends_at)}; no penalty)"
        )
    if c.order.force_majeure_exempt:
        return " (force-majeure exemption: no penalty)"
    return ""


def fine_at_risk(c: Ctx) -> tuple[MoneyAtRisk, ...]:
    """The fake-logistics fine for an L1 parcel, unless exempt or not a PDD rule."""
    if c.anomaly != "L1" or exempt(c):
        return ()
    fine = fake_logistics_fine(c.order.amount, c.policy)
    if fine == Decimal(0):
        return ()
    return (MoneyAtRisk(FAKE_LOGISTICS_FINE, fine),)


def anomaly_steps(c: Ctx) -> tuple[str, ...]:
    """Carrier-chasing steps for the current anomaly (used by R6 too)."""
    return _STEPS[c.anomaly] if c.anomaly is not None else ()


def _outcome(c: Ctx, rule_id: str) -> str | Outcome:
    if c.anomaly != rule_id:
        return c.anomaly_reason if c.anomaly is None else f"anomaly is {c.anomaly}"
    sh = c.shipment
    deadlines: tuple[Deadline, ...] = ()
    # L4 too: a parcel stuck at delivery is overdue work the queue must show.
    if rule_id in ("L2", "L3", "L4") and c.anomaly_due is not None:
        deadlines = (Deadline(NEXT_TRACKING_UPDATE_BY, c.anomaly_due, "already missed"),)
    note = exemption_note(c)
    return Outcome(
        CONTACT_CARRIER,
        c.anomaly_reason + note,
        (
            fact("shipment.carrier", sh.carrier or "-"),
            fact("shipment.tracking_number", sh.tracking_number or "-"),
            fact("shipment.tracking_uploaded_at", sh.tracking_uploaded_at),
            fact("shipment.picked_up_at", c.picked_up_at),
        ),
        _STEPS[rule_id],
        rule_id,
        deadlines=deadlines,
        money=fine_at_risk(c),
    )


@rule(
    "L1",
    "Tracking uploaded, no pickup scan within the limit: chase carrier (fake-logistics fine)",
    Action.CONTACT_CARRIER,
    seed="002",
    family=FAMILY,
)
def l1_no_pickup_scan(c: Ctx) -> str | Outcome:
    return _outcome(c, "L1")


@rule(
    "L2",
    "Picked up, no next event within the limit (揽收后停滞): chase carrier",
    Action.CONTACT_CARRIER,
    seed="002, 004",
    family=FAMILY,
)
def l2_stalled_after_pickup(c: Ctx) -> str | Outcome:
    return _outcome(c, "L2")


@rule(
    "L3",
    "Left the sorting centre, no event for 48 h / 120 h remote (运转异常): chase carrier",
    Action.CONTACT_CARRIER,
    seed="002, 004",
    family=FAMILY,
)
def l3_transit_stagnant(c: Ctx) -> str | Outcome:
    return _outcome(c, "L3")


@rule(
    "L4",
    "Out for delivery or delivery exception without a signature (派签异常): chase carrier",
    Action.CONTACT_CARRIER,
    seed="004",
    family=FAMILY,
)
def l4_delivery_anomaly(c: Ctx) -> str | Outcome:
    return _outcome(c, "L4")


RULES = (l1_no_pickup_scan, l2_stalled_after_pickup, l3_transit_stagnant, l4_delivery_anomaly)
