"""The decision as the API shows it: action, why, what to do, by when, at what risk."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Annotated, cast

import strawberry

from service.decision import outcome as o
from service.decision.table import RULES
from service.decision.texts import evidence_name, localize
from service.graphql.types.enums import (
    Action,
    DeadlineKind,
    EvidenceKind,
    Locale,
    RiskKind,
    SignalKind,
)

_RULE_SUMMARIES = {rule.id: rule.summary for rule in RULES}


@strawberry.type(description="A fact that decided the outcome, with its value.")
class DecisionFact:
    name: str = strawberry.field(
        description="Fact name, e.g. shipment.tracking_uploaded_at, refund.reason or records."
    )
    value: str = strawberry.field(
        description="Its value as text for the agent; times in ISO-8601 with offset."
    )


@strawberry.type(description="A piece of evidence the action needs, and whether it is on file.")
class EvidenceRequirement:
    kind: EvidenceKind = strawberry.field(description="The kind of evidence.")  # type: ignore[valid-type]
    name: str = strawberry.field(
        description="What the agent calls it, in the decision's locale (e.g. 外包装照片)."
    )
    needed: bool = strawberry.field(
        description="Whether the recommended action needs it (ask for it, or attach it)."
    )
    present: bool = strawberry.field(
        description="Whether it is already on file (buyer evidence or merchant evidence)."
    )


@strawberry.type(description="A time limit that matters for this case.")
class Deadline:
    kind: DeadlineKind = strawberry.field(description="What the deadline is for.")  # type: ignore[valid-type]
    at: datetime = strawberry.field(
        description="When it falls (UTC); the limit still holds at exactly this instant."
    )
    note: str = strawberry.field(
        description="What happens at that time, or 'already missed', in the decision's"
        " locale; may be empty."
    )


@strawberry.type(description="Money that the case puts at risk, in CNY.")
class MoneyAtRisk:
    kind: RiskKind = strawberry.field(description="What the money is: refund, fine or coupon.")  # type: ignore[valid-type]
    amount: Decimal = strawberry.field(
        description="The amount in CNY, exact to the cent (rounded half-up)."
    )


@strawberry.type(description="Another action, and the condition under which it would be right.")
class Alternative:
    action: Action = strawberry.field(description="The action that would be recommended instead.")  # type: ignore[valid-type]
    rule_id: str = strawberry.field(description="Id of the rule that would select it.")
    condition: str = strawberry.field(
        description="What would have to be true, in the decision's locale, e.g. 'once a"
        " photo shows the fault'."
    )


@strawberry.type(description="One rule examined while deciding, and why it did or did not match.")
class TraceEntry:
    rule_id: str = strawberry.field(description="Id of the rule examined (see `aftersales rules`).")
    matched: bool = strawberry.field(
        description="Whether it matched; only the last entry of a trace matches (first match wins)."
    )
    reason: str = strawberry.field(
        description="Why it did not apply, or the rationale when it matched, in the"
        " decision's locale."
    )


@strawberry.type(description="Something to tell the buyer proactively, and by when.")
class Signal:
    kind: SignalKind = strawberry.field(description="Which proactive step is due.")  # type: ignore[valid-type]
    due_at: datetime = strawberry.field(
        description="The time the step relates to (UTC): the deadline it heads off, or the"
        " event that made it due."
    )
    message: str = strawberry.field(
        description="What to do, in the decision's locale, with the times in China time (UTC+8)."
    )


@strawberry.type(description="Ready-to-send buyer messages, placeholders filled.")
class Scripts:
    zh_cn: str = strawberry.field(
        name="zhCN", description="The message in Simplified Chinese, ready to paste into chat."
    )
    en: str = strawberry.field(description="The same message in English.")


@strawberry.type(name="Decision", description="What to do with a case, and why.")
class DecisionType:
    action: Action = strawberry.field(  # type: ignore[valid-type]
        description="The recommended move."
    )
    rule_id: str = strawberry.field(
        description="Stable id of the rule that fired (see `aftersales rules`)."
    )
    rule_summary: str = strawberry.field(description="What the rule says, in one line (English).")
    rationale: str = strawberry.field(
        description="Why, naming the deciding facts and their values, in the decision's locale."
    )
    facts: list[DecisionFact] = strawberry.field(
        description="The facts that decided it, with their values."
    )
    steps: list[str] = strawberry.field(
        description="What the agent should do, in order, in the decision's locale (times in"
        " China time)."
    )
    evidence: list[EvidenceRequirement] = strawberry.field(
        description="The evidence this action needs, and which of it is already on file."
    )
    deadlines: list[Deadline] = strawberry.field(
        description="Time limits for this case, passed ones included (see nextDeadline)."
    )
    next_deadline: datetime | None = strawberry.field(
        description="The soonest deadline not yet passed at evaluation time."
    )
    money_at_risk: list[MoneyAtRisk] = strawberry.field(
        description="Money the case puts at risk: the refund, a fine, the coupon offered."
    )
    alternatives: list[Alternative] = strawberry.field(
        description="Other actions and when they apply."
    )
    trace: list[TraceEntry] = strawberry.field(
        description="The rules examined, in order, each with why it did or did not match."
    )
    signals: list[Signal] = strawberry.field(
        description="Proactive steps due at evaluation time, whatever the action."
    )
    scripts: Scripts = strawberry.field(
        description="The ready-to-send buyer message in every language, placeholders filled."
    )
    policy_id: str = strawberry.field(
        description="The platform policy that produced the decision (pdd or kuaishou)."
    )
    policy_version: str = strawberry.field(
        description="Its version, e.g. 2026.11.1; with '+shop' when shop overrides shaped it."
    )
    evaluated_at: datetime = strawberry.field(
        description="The moment the decision is for (UTC): the `at` argument, else the"
        " request's now."
    )
    proactive: bool = strawberry.field(
        description="True when no buyer request is pending and the move is the shop's own"
        " initiative (seed 000 §1: promise a ship time, send the tracking details, apologise"
        " for a delay)."
    )
    overdue: bool = strawberry.field(
        description="True when a deadline to act by has passed with the case still open."
    )
    locale: strawberry.Private[Locale]

    @strawberry.field(description="The buyer message in the requested locale (default: zh-CN).")
    def script(
        self,
        locale: Annotated[
            Locale | None,
            strawberry.argument(
                description="The language wanted; null: the locale the decision was asked in."
            ),
        ] = None,
    ) -> str:
        chosen = locale or self.locale
        return self.scripts.en if chosen is Locale.EN else self.scripts.zh_cn

    @classmethod
    def from_decision(cls, d: o.Decision, locale: Locale = Locale.ZH_CN) -> DecisionType:
        """The decision as the API shows it, read field by field on demand: a field the
        query does not select costs nothing, and a script is rendered only in the
        language read (see :class:`DecisionView`)."""
        return cast(DecisionType, DecisionView(d, locale))


def _read(name: str) -> property:
    return property(attrgetter("_d." + name))


class DecisionView:
    """Stands in for :class:`DecisionType` at run time.

    GraphQL reads each selected field as an attribute; these read straight from the
    decision and its parts, whose attribute names match the GraphQL types' fields
    (``FactUsed`` for ``DecisionFact``, ``EvidenceItem`` for
    ``EvidenceRequirement``...). Copying every part into GraphQL objects, as before,
    cost more than the decision itself.
    """

    __slots__ = ("_d", "locale")

    def __init__(self, d: o.Decision, locale: Locale) -> None:
        self._d = d
        self.locale = locale

    action = _read("action")
    rule_id = _read("rule_id")
    facts = _read("facts")
    next_deadline = _read("next_deadline")
    money_at_risk = _read("money_at_risk")
    scripts = _read("scripts")
    policy_id = _read("policy_id")
    policy_version = _read("policy_version")
    evaluated_at = _read("evaluated_at")
    proactive = _read("proactive")
    overdue = _read("overdue")

    @property
    def rule_summary(self) -> str:
        return _RULE_SUMMARIES.get(self._d.rule_id, "")

    # The agent-facing texts, in the locale the decision was asked in; each is put
    # into that language only when the query selects it (texts.localize keeps the
    # results, so a text repeated across a queue page is rendered once).
    @property
    def rationale(self) -> str:
        return localize(self._d.rationale, self.locale.value)

    @property
    def steps(self) -> list[str]:
        lang = self.locale.value
        return [localize(step, lang) for step in self._d.steps]

    @property
    def evidence(self) -> list[_EvidenceView]:
        lang = self.locale.value
        return [_EvidenceView(e, lang) for e in self._d.evidence]

    @property
    def deadlines(self) -> list[_DeadlineView]:
        lang = self.locale.value
        return [_DeadlineView(x, lang) for x in self._d.deadlines]

    @property
    def alternatives(self) -> list[_AlternativeView]:
        lang = self.locale.value
        return [_AlternativeView(a, lang) for a in self._d.alternatives]

    @property
    def trace(self) -> list[_TraceView]:
        lang = self.locale.value
        return [_TraceView(t, lang) for t in self._d.trace]

    @property
    def signals(self) -> list[_SignalView]:
        lang = self.locale.value
        return [_SignalView(x, lang) for x in self._d.signals]


def _part(name: str) -> property:
    return property(attrgetter("_p." + name))


class _EvidenceView:
    """An ``EvidenceItem`` as ``EvidenceRequirement``, its name in the locale."""

    __slots__ = ("_lang", "_p")

    def __init__(self, p: o.EvidenceItem, lang: str) -> None:
        self._p = p
        self._lang = lang

    kind = _part("kind")
    needed = _part("needed")
    present = _part("present")

    @property
    def name(self) -> str:
        return evidence_name(self._p.kind, self._lang)


class _DeadlineView:
    __slots__ = ("_lang", "_p")

    def __init__(self, p: o.Deadline, lang: str) -> None:
        self._p = p
        self._lang = lang

    kind = _part("kind")
    at = _part("at")

    @property
    def note(self) -> str:
        return localize(self._p.note, self._lang) if self._p.note else ""


class _AlternativeView:
    __slots__ = ("_lang", "_p")

    def __init__(self, p: o.Alternative, lang: str) -> None:
        self._p = p
        self._lang = lang

    action = _part("action")
    rule_id = _part("rule_id")

    @property
    def condition(self) -> str:
        return localize(self._p.condition, self._lang)


class _TraceView:
    __slots__ = ("_lang", "_p")

    def __init__(self, p: o.TraceEntry, lang: str) -> None:
        self._p = p
        self._lang = lang

    rule_id = _part("rule_id")
    matched = _part("matched")

    @property
    def reason(self) -> str:
        return localize(self._p.reason, self._lang)


class _SignalView:
    __slots__ = ("_lang", "_p")

    def __init__(self, p: o.Signal, lang: str) -> None:
        self._p = p
        self._lang = lang

    kind = _part("kind")
    due_at = _part("due_at")

    @property
    def message(self) -> str:
        return localize(self._p.message, self._lang)
