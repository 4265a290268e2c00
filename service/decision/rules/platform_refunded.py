"""A1–A5: the platform already refunded by itself (seed 001 scenarios 1–3).

Appeal window (001 sc.2 "退款成功后的3-7天内"): it opens at
``refunded_at + appeal_opens_after_days`` (72 h on PDD) **inclusive** and closes
at ``refunded_at + appeal_closes_after_days`` (168 h) **inclusive**. Before it
opens the decision still says APPEAL_FAST_REFUND with an APPEAL_OPENS deadline
in the future; after it closes, NO_ACTION.
"""

from __future__ import annotations

from datetime import datetime

from service.decision.derive import IN_TRANSIT, SIGNED, Ctx
from service.decision.facts import EvidenceKind, PlatformRefundKind, RefundFacts, RefundType
from service.decision.outcome import Action, Alternative, Deadline, DeadlineKind, FactUsed
from service.decision.rules.base import Outcome, fact, rule
from service.decision.timefmt import hours, local_time

FAMILY = "platform_refunded"


# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
APPEAL_CLOSES = DeadlineKind.APPEAL_CLOSES
APPEAL_FAST_REFUND = Action.APPEAL_FAST_REFUND
APPEAL_OPENS = DeadlineKind.APPEAL_OPENS
INTERCEPT = Action.INTERCEPT
NO_ACTION = Action.NO_ACTION
OUTBOUND_RECORD = EvidenceKind.OUTBOUND_RECORD
REFUND_ONLY = RefundType.REFUND_ONLY
RETURN_ADDRESS_RECORD = EvidenceKind.RETURN_ADDRESS_RECORD
RETURN_AND_REFUND = RefundType.RETURN_AND_REFUND
SIGNATURE_PROOF = EvidenceKind.SIGNATURE_PROOF


def _platform_refund(c: Ctx) -> tuple[RefundFacts | None, str]:
    rf = c.refund
    if rf is None or rf.platform_refund is None:
        return None, "not refunded by the platform itself"
    return rf, ""


def _fast_refund(c: Ctx) -> tuple[RefundFacts | None, str]:
    rf, why = _platform_refund(c)
    if rf is None:
        return None, why
    if not c.policy.fast_refund_supported:
        return None, f"{c.policy.policy_id} has no fast refund"
    if rf.platform_refund is not PlatformRefundKind.FAST_REFUND:
        return None, f"platform refund kind is {rf.platform_refund}"
    return rf, ""


def _window(c: Ctx, refunded_at: datetime) -> tuple[str, datetime, datetime]:
    """Where ``now`` sits in the appeal window: "before", "open" or "closed"."""
    p = c.policy
    opens = refunded_at + p.appeal_opens_td
    closes = refunded_at + p.appeal_closes_td
    if c.now < opens:
        return "before", opens, closes
    if c.now <= closes:
        return "open", opens, closes
    return "closed", opens, closes


def _appeal(
    c: Ctx,
    rf: RefundFacts,
    grounds: str,
    facts: tuple[FactUsed, ...],
    key: str,
    needs: tuple[EvidenceKind, ...],
) -> Outcome:
    assert rf.refunded_at is not None
    state, opens, closes = _window(c, rf.refunded_at)
    p = c.policy
    deadlines = (
        Deadline(APPEAL_OPENS, opens, f"day {p.appeal_opens_after_days}"),
        Deadline(APPEAL_CLOSES, closes, f"day {p.appeal_closes_after_days}"),
    )
    if state == "closed":
        return Outcome(
            NO_ACTION,
            f"{grounds}, but the appeal window closed at {local_time(closes)} "
            f"({hours(c.now - closes)} ago)",
            facts,
            ("Nothing to file: the window is over", "Upload tracking promptly on future orders"),
            f"{key}.closed",
            deadlines=deadlines,
        )
    until = local_time(closes)
    file_steps = (
        "Open the after-sales detail page and file the fast-refund appeal",
        "Attach the evidence listed below",
        f"File before {until}",
    )
    steps: tuple[str, ...]
    if state == "before":
        opening = local_time(opens)
        when = f"appeal opens at {opening} (in {hours(opens - c.now)})"
        steps = (f"Wait: the appeal entry opens on {opening}; set a reminder", *file_steps)
    else:
        when = f"appeal window open until {until}"
        steps = file_steps
    return Outcome(
        APPEAL_FAST_REFUND,
        f"{grounds}; {when}",
        facts,
        steps,
        key,
        needs=needs,
        deadlines=deadlines,
    )


@rule(
    "A3",
    "Fast refund, return sent to a wrong address: incomplete shop address no action, else appeal",
    Action.APPEAL_FAST_REFUND,
    Action.NO_ACTION,
    seed="001 sc.3",
    family=FAMILY,
)
def a3_wrong_return_address(c: Ctx) -> str | Outcome:
    rf, why = _fast_refund(c)
    if rf is None:
        return why
    if rf.type is not RETURN_AND_REFUND or not rf.return_to_wrong_address:
        return "no return to a wrong address"
    if not c.order.return_address_complete:
        return Outcome(
            NO_ACTION,
            "buyer returned to a wrong address because the shop's return address is "
            "incomplete: the appeal would fail (merchant's fault)",
            (fact("order.return_address_complete", False),),
            (
                "Do not appeal",
                "Fix the return address: district, street and number, not just the city",
                "Set the right return address per product before shipping",
            ),
            "A3.fix",
        )
    return _appeal(
        c,
        rf,
        "buyer returned to a wrong address although the shop's address is complete",
        (
            fact("order.return_address_complete", True),
            fact("refund.return_tracking_number", rf.return_tracking_number or "-"),
        ),
        "A3",
        (RETURN_ADDRESS_RECORD,),
    )


@rule(
    "A4",
    "Refunded by the platform (fast or timeout) while still in transit: intercept",
    Action.INTERCEPT,
    seed="001 sc.1 tip 1",
    family=FAMILY,
)
def a4_refunded_in_transit(c: Ctx) -> str | Outcome:
    rf, why = _platform_refund(c)
    if rf is None:
        return why
    if c.stage != IN_TRANSIT:
        return f"stage is {c.stage}, not in transit"
    kind = rf.platform_refund if rf.platform_refund else "-"
    return Outcome(
        INTERCEPT,
        f"platform refunded ({kind}) while the parcel is in transit; recover the goods"
        + ("" if c.interceptable else " (already out for delivery: ask for return on rejection)"),
        (fact("refund.platform_refund", kind), fact("interceptable", c.interceptable)),
        (
            "Request interception from the refund page or the carrier",
            "If already out for delivery, ask the carrier to return it when refused",
            "Record the return postage as a cost",
        ),
        "A4",
    )


@rule(
    "A2",
    "Pickup scan later than the refund or the ship-by: no action, the platform auto-rejects",
    Action.NO_ACTION,
    seed="001 sc.2 note 4",
    family=FAMILY,
)
def a2_pickup_too_late(c: Ctx) -> str | Outcome:
    rf, why = _fast_refund(c)
    if rf is None:
        return why
    assert rf.refunded_at is not None
    picked = c.picked_up_at
    if picked is None:
        return "no pickup scan recorded"
    if picked > rf.refunded_at:
        late = f"pickup scan {local_time(picked)} is after the refund {local_time(rf.refunded_at)}"
    elif c.ship_by is not None and picked > c.ship_by:
        late = f"pickup scan {local_time(picked)} is after ship-by {local_time(c.ship_by)}"
    else:
        return "pickup scan before both the refund and the ship-by"
    return Outcome(
        NO_ACTION,
        f"{late}: the platform rejects this appeal by itself",
        (fact("pickup_at", picked), fact("refund.refunded_at", rf.refunded_at)),
        ("Do not appeal", "Get parcels scanned by the carrier the day they are handed over"),
        "A2",
    )


@rule(
    "A1",
    "Fast refund filed within 2 h, merchant had shipped offline, buyer signed: appeal day 3–7",
    Action.APPEAL_FAST_REFUND,
    Action.NO_ACTION,
    seed="001 sc.2",
    family=FAMILY,
)
def a1_fast_refund_appeal(c: Ctx) -> str | Outcome:
    rf, why = _fast_refund(c)
    if rf is None:
        return why
    assert rf.refunded_at is not None
    if rf.type is not REFUND_ONLY:
        return "not refund-only"
    p = c.policy
    filed = rf.requested_at - c.order.confirmed_at
    if filed > p.fast_refund_window:
        return f"filed {hours(filed)} after confirmation, beyond {hours(p.fast_refund_window)}"
    sh = c.shipment
    if sh.tracking_uploaded_at is not None and sh.tracking_uploaded_at <= rf.refunded_at:
        return "tracking was already online at refund time"
    if sh.shipped_offline_at is None or sh.shipped_offline_at > rf.refunded_at:
        return "not shipped offline before the refund"
    if c.stage != SIGNED:
        return f"stage is {c.stage}, buyer has not signed"
    return _appeal(
        c,
        rf,
        f"refund-only filed {hours(filed)} after confirmation "
        f"(window {hours(p.fast_refund_window)}), "
        f"shipped offline at {local_time(sh.shipped_offline_at)} before the refund, buyer signed",
        (
            fact("refund.requested_at", rf.requested_at),
            fact("shipment.shipped_offline_at", sh.shipped_offline_at),
            fact("refund.refunded_at", rf.refunded_at),
        ),
        "A1",
        (OUTBOUND_RECORD, SIGNATURE_PROOF),
    )


@rule(
    "A5",
    "Refund already paid, no appeal ground and nothing to recover: no action",
    Action.NO_ACTION,
    seed="001",
    family=FAMILY,
)
def a5_refunded_nothing_to_win(c: Ctx) -> str | Outcome:
    rf = c.refund
    if rf is None:
        return "no refund"
    return Outcome(
        NO_ACTION,
        "the refund is already paid"
        + (f" ({rf.platform_refund})" if rf.platform_refund else "")
        + " and no appeal or recovery applies",
        (fact("refund.status", rf.status),),
        ("Nothing to file", "Check the case for lessons (upload tracking, answer in time)"),
        "A5",
        alternatives=(
            Alternative(
                APPEAL_FAST_REFUND,
                "A1",
                "if it was a fast refund filed within the window on an order shipped offline "
                "and signed by the buyer",
            ),
        ),
    )
