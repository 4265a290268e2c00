"""What a decision carries (RULEBOOK §6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from service.decision.facts import EvidenceKind
from service.decision.fastinit import fast_init


class Action(StrEnum):
    AGREE_REFUND = "AGREE_REFUND"
    AGREE_REFUND_AFTER_REJECTION = "AGREE_REFUND_AFTER_REJECTION"
    INTERCEPT = "INTERCEPT"
    REISSUE = "REISSUE"
    REJECT_WITH_EVIDENCE = "REJECT_WITH_EVIDENCE"
    APPEAL_FAST_REFUND = "APPEAL_FAST_REFUND"
    UPLOAD_TRACKING = "UPLOAD_TRACKING"
    PROMISE_SHIP_TIME = "PROMISE_SHIP_TIME"
    APOLOGIZE_AND_PROMISE = "APOLOGIZE_AND_PROMISE"
    ACCEPT_RETURN = "ACCEPT_RETURN"
    REQUEST_EVIDENCE = "REQUEST_EVIDENCE"
    CONTACT_CARRIER = "CONTACT_CARRIER"
    INFORM_TRACKING = "INFORM_TRACKING"
    GUIDE_TO_PLATFORM_SUPPORT = "GUIDE_TO_PLATFORM_SUPPORT"
    NO_ACTION = "NO_ACTION"


class DeadlineKind(StrEnum):
    RESPOND_BY = "RESPOND_BY"  # before the platform auto-agrees the refund
    SHIP_BY = "SHIP_BY"
    PICKUP_BY = "PICKUP_BY"  # pickup scan needed before the fake-logistics fine
    NEXT_TRACKING_UPDATE_BY = "NEXT_TRACKING_UPDATE_BY"
    APPEAL_OPENS = "APPEAL_OPENS"
    APPEAL_CLOSES = "APPEAL_CLOSES"
    PROMISED_SHIP_AT = "PROMISED_SHIP_AT"  # the hour the script promises the buyer
    INFORM_BY = "INFORM_BY"  # proactive tracking details are due by then


# Deadlines that, once passed with the case still open, make the case overdue. The
# others mark a window (appeal opens / closes) rather than a duty to act by.
OVERDUE_KINDS = frozenset(
    {
        DeadlineKind.RESPOND_BY,
        DeadlineKind.SHIP_BY,
        DeadlineKind.PICKUP_BY,
        DeadlineKind.NEXT_TRACKING_UPDATE_BY,
        DeadlineKind.PROMISED_SHIP_AT,
        DeadlineKind.INFORM_BY,
    }
)


class RiskKind(StrEnum):
    REFUND_AMOUNT = "REFUND_AMOUNT"
    FAKE_LOGISTICS_FINE = "FAKE_LOGISTICS_FINE"
    COUPON = "COUPON"


class SignalKind(StrEnum):
    """Proactive service signals (000 §1): act before the buyer asks."""

    SHIP_BY_APPROACHING = "SHIP_BY_APPROACHING"
    PICKUP_LIMIT_APPROACHING = "PICKUP_LIMIT_APPROACHING"
    AUTO_AGREE_APPROACHING = "AUTO_AGREE_APPROACHING"
    TELL_EXPECTED_SHIP_TIME = "TELL_EXPECTED_SHIP_TIME"
    SEND_TRACKING_DETAILS = "SEND_TRACKING_DETAILS"


@fast_init
@dataclass(frozen=True, slots=True)
class FactUsed:
    """A fact that decided the outcome, with its value as shown to the agent."""

    name: str
    value: str


@fast_init
@dataclass(frozen=True, slots=True)
class EvidenceItem:
    kind: EvidenceKind
    needed: bool
    present: bool


@fast_init
@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    at: datetime
    note: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class MoneyAtRisk:
    kind: RiskKind
    amount: Decimal  # CNY, quantized to the cent


@fast_init
@dataclass(frozen=True, slots=True)
class Alternative:
    action: Action
    rule_id: str
    condition: str  # "if the parcel were still before delivery dispatch"


@fast_init
@dataclass(frozen=True, slots=True)
class TraceEntry:
    rule_id: str
    matched: bool
    reason: str


@fast_init
@dataclass(frozen=True, slots=True)
class Signal:
    kind: SignalKind
    due_at: datetime
    message: str


class Scripts:
    """The buyer message in both languages.

    ``decide`` builds it deferred (:meth:`deferred`): each language is rendered the
    first time it is read, then kept, so a caller that shows one language never pays
    for the other. Read, it is the same text as if rendered at once; equality and
    hashing compare the texts. Immutable like the other parts of a decision.
    """

    __slots__ = ("_en", "_render", "_zh")

    def __init__(self, zh_cn: str, en: str) -> None:
        self._zh: str | None = zh_cn
        self._en: str | None = en
        self._render: Callable[[bool], str] | None = None

    @classmethod
    def deferred(cls, render: Callable[[bool], str]) -> Scripts:
        """Scripts whose texts ``render(english)`` gives on first read (one function for
        both languages: a decision then builds one closure, not two)."""
        self = cls.__new__(cls)
        self._zh = self._en = None
        self._render = render
        return self

    @property
    def zh_cn(self) -> str:
        text = self._zh
        if text is None:
            text = self._zh = self._render(False)  # type: ignore[misc]
        return text

    @property
    def en(self) -> str:
        text = self._en
        if text is None:
            text = self._en = self._render(True)  # type: ignore[misc]
        return text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scripts):
            return NotImplemented
        return self.zh_cn == other.zh_cn and self.en == other.en

    def __hash__(self) -> int:
        return hash((self.zh_cn, self.en))

    def __repr__(self) -> str:
        return f"Scripts(zh_cn={self.zh_cn!r}, en={self.en!r})"


class Signals:
    """A decision's proactive signals, worked out the first time they are read.

    Most callers never read them: the stored case states do not, and ``recommend``
    only when they are selected. Read, :attr:`value` is the same tuple as if it had
    been built at once (the facts behind it are immutable); equality and hashing
    compare that tuple, so two equal decisions still compare equal.
    """

    __slots__ = ("_arg", "_compute", "_value")

    def __init__(self, compute: Callable[[Any], tuple[Signal, ...]], arg: Any) -> None:
        self._compute: Callable[[Any], tuple[Signal, ...]] | None = compute
        self._arg: Any = arg
        self._value: tuple[Signal, ...] | None = None

    @property
    def value(self) -> tuple[Signal, ...]:
        value = self._value
        if value is None:
            value = self._value = self._compute(self._arg)  # type: ignore[misc]
            self._compute = self._arg = None  # the facts are no longer needed
        return value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signals):
            return NotImplemented
        return self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return repr(self.value)


@fast_init
@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    rule_id: str
    rationale: str
    facts: tuple[FactUsed, ...]
    steps: tuple[str, ...]
    evidence: tuple[EvidenceItem, ...]
    deadlines: tuple[Deadline, ...]
    money_at_risk: tuple[MoneyAtRisk, ...]
    alternatives: tuple[Alternative, ...]
    trace: tuple[TraceEntry, ...]
    # Read them as ``signals``: built on first read (see Signals).
    lazy_signals: Signals
    scripts: Scripts
    policy_id: str
    policy_version: str
    evaluated_at: datetime
    # True when no buyer request is pending: the shop acts first (000 §1).
    proactive: bool = False
    # True when a deadline of an OVERDUE_KINDS kind has passed at evaluated_at.
    overdue: bool = False

    @property
    def signals(self) -> tuple[Signal, ...]:
        """Proactive signals (000 §1): what is due before the buyer asks."""
        return self.lazy_signals.value

    @property
    def next_deadline(self) -> datetime | None:
        """The soonest deadline still ahead of the evaluation time, if any."""
        nearest = self.nearest_deadline
        return nearest.at if nearest is not None else None

    @property
    def nearest_deadline(self) -> Deadline | None:
        """The deadline falling soonest at or after the evaluation time (ties broken by
        kind, so the choice is stable), if any."""
        ahead = [d for d in self.deadlines if d.at >= self.evaluated_at]
        return min(ahead, key=lambda d: (d.at, d.kind.value)) if ahead else None

    @property
    def urgent_deadline(self) -> Deadline | None:
        """What the work queue sorts on: the earliest missed deadline when the case is
        overdue, else the nearest one ahead."""
        missed = [d for d in self.deadlines if d.at < self.evaluated_at and d.kind in OVERDUE_KINDS]
        if missed:
            return min(missed, key=lambda d: (d.at, d.kind.value))
        return self.nearest_deadline
