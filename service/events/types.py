"""Event type names, and the default warning windows before each deadline kind
(a shop's own are in its Policy: :attr:`service.decision.policy.Policy.warning_windows`)."""

from __future__ import annotations

from datetime import timedelta

from service.decision.outcome import DeadlineKind
from service.decision.policy import WARNING_WINDOWS

DECISION_CHANGED = "case.decision_changed"
DEADLINE_APPROACHING = "case.deadline_approaching"
OVERDUE = "case.overdue"
ENDPOINT_DISABLED = "webhook.endpoint_disabled"
# What the team does (service/team/events.py).
CASE_CLAIMED = "case.claimed"
CLAIM_RELEASED = "case.claim_released"
ACTION_RECORDED = "case.action_recorded"
EVENT_TYPES = (
    DECISION_CHANGED,
    DEADLINE_APPROACHING,
    OVERDUE,
    ENDPOINT_DISABLED,
    CASE_CLAIMED,
    CLAIM_RELEASED,
    ACTION_RECORDED,
)

DEFAULT_WARNINGS = WARNING_WINDOWS


def warning_before(kind: DeadlineKind | None) -> timedelta | None:
    """The default warning window of a deadline kind; None: not announced."""
    return DEFAULT_WARNINGS.get(kind) if kind is not None else None
