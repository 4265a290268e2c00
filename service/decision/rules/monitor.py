"""P0–P1: fall-backs so every case gets a decision with a stable rule id."""

from __future__ import annotations

from service.decision.derive import Ctx
from service.decision.outcome import Action
from service.decision.rules.base import Outcome, fact, rule

FAMILY = "monitor"


# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
NO_ACTION = Action.NO_ACTION
REQUEST_EVIDENCE = Action.REQUEST_EVIDENCE


@rule(
    "P0",
    "No request and no anomaly: keep monitoring; proactive signals say what is due",
    Action.NO_ACTION,
    seed="000 §1",
    family=FAMILY,
)
def p0_monitor(c: Ctx) -> str | Outcome:
    return Outcome(
        NO_ACTION,
        f"nothing to answer now (stage {c.stage}; {c.anomaly_reason})",
        (fact("stage", c.stage),),
        ("Keep monitoring; act on the signals listed with this decision",),
        "P0",
    )


@rule(
    "P1",
    "Refund request no rule covers: gather evidence and review by hand",
    Action.REQUEST_EVIDENCE,
    seed="003 §6",
    family=FAMILY,
)
def p1_review(c: Ctx) -> str | Outcome:
    rf = c.refund
    reason = rf.reason if rf is not None else "-"
    return Outcome(
        REQUEST_EVIDENCE,
        f"no rule covers reason {reason} at stage {c.stage}; review by hand",
        (fact("refund.reason", reason), fact("stage", c.stage)),
        (
            "Ask the buyer for photos and details",
            "Review the case with a senior agent before the respond-by deadline",
        ),
        "P1",
    )
