"""Event type names and the warning windows before each deadline kind."""

from __future__ import annotations

from datetime import timedelta

from service.decision.outcome import DeadlineKind

DECISION_CHANGED = "case.decision_changed"
DEADLINE_APPROACHING = "case.deadline_approaching"
OVERDUE = "case.overdue"
ENDPOINT_DISABLED = "webhook.endpoint_disabled"
EVENT_TYPES = (DECISION_CHANGED, DEADLINE_APPROACHING, OVERDUE, ENDPOINT_DISABLED)

# How long before a deadline it is announced. APPEAL_OPENS is announced when it
# arrives (0); kinds left out are never announced.
DEFAULT_WARNINGS: dict[DeadlineKind, timedelta] = {
    DeadlineKind.RESPOND_BY: timedelta(hours=6),
    DeadlineKind.SHIP_BY: timedelta(hours=6),
    DeadlineKind.PICKUP_BY: timedelta(hours=4),
    DeadlineKind.APPEAL_OPENS: timedelta(0),
    DeadlineKind.APPEAL_CLOSES: timedelta(hours=24),
}


def warning_before(kind: DeadlineKind | None) -> timedelta | None:
    """The warning window of a deadline kind; None: not announced."""
    return DEFAULT_WARNINGS.get(kind) if kind is not None else None
