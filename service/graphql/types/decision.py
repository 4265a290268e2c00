"""The decision as the API shows it: action, why, what to do, by when, at what risk."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from service.decision import outcome as o
from service.decision.table import RULES
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
    name: str = strawberry.field(description="Fact name, e.g. tracking_uploaded_at.")
    value: str = strawberry.field(description="Its value as shown to the agent.")


@strawberry.type(description="A piece of evidence the action needs, and whether it is on file.")
class EvidenceRequirement:
    kind: EvidenceKind = strawberry.field(description="What evidence.")  # type: ignore[valid-type]
    needed: bool = strawberry.field(description="Whether the recommended action needs it.")
    present: bool = strawberry.field(description="Whether it is already on file.")


@strawberry.type(description="A time limit that matters for this case.")
class Deadline:
    kind: DeadlineKind = strawberry.field(description="What the deadline is for.")  # type: ignore[valid-type]
    at: datetime = strawberry.field(description="When it falls (UTC).")
    note: str = strawberry.field(description="What happens at that time.")


@strawberry.type(description="Money that the case puts at risk, in CNY.")
class MoneyAtRisk:
    kind: RiskKind = strawberry.field(description="Refund, fine or coupon.")  # type: ignore[valid-type]
    amount: Decimal = strawberry.field(description="Exact amount in CNY.")


@strawberry.type(description="Another action, and the condition under which it would be right.")
class Alternative:
    action: Action = strawberry.field(description="The other action.")  # type: ignore[valid-type]
    rule_id: str = strawberry.field(description="The rule that would select it.")
    condition: str = strawberry.field(description="What would have to be true.")


@strawberry.type(description="One rule examined while deciding, and why it did or did not match.")
class TraceEntry:
    rule_id: str = strawberry.field(description="Rule id.")
    matched: bool = strawberry.field(description="Whether it matched.")
    reason: str = strawberry.field(description="Why.")


@strawberry.type(description="Something to tell the buyer proactively, and by when.")
class Signal:
    kind: SignalKind = strawberry.field(description="Which proactive step.")  # type: ignore[valid-type]
    due_at: datetime = strawberry.field(description="When it is due (UTC).")
    message: str = strawberry.field(description="What to do.")


@strawberry.type(description="Ready-to-send buyer messages, placeholders filled.")
class Scripts:
    zh_cn: str = strawberry.field(name="zhCN", description="Simplified Chinese.")
    en: str = strawberry.field(description="English.")


@strawberry.type(name="Decision", description="What to do with a case, and why.")
class DecisionType:
    action: Action = strawberry.field(description="Recommended action.")  # type: ignore[valid-type]
    rule_id: str = strawberry.field(
        description="Stable id of the rule that fired (see `aftersales rules`)."
    )
    rule_summary: str = strawberry.field(description="What the rule says, in one line.")
    rationale: str = strawberry.field(
        description="Why, naming the deciding facts and their values."
    )
    facts: list[DecisionFact] = strawberry.field(description="The facts that decided it.")
    steps: list[str] = strawberry.field(description="What to do, in order.")
    evidence: list[EvidenceRequirement] = strawberry.field(description="Evidence needed / present.")
    deadlines: list[Deadline] = strawberry.field(description="Time limits for this case.")
    next_deadline: datetime | None = strawberry.field(
        description="The soonest deadline not yet passed at evaluation time."
    )
    money_at_risk: list[MoneyAtRisk] = strawberry.field(description="Refund, fines, coupons.")
    alternatives: list[Alternative] = strawberry.field(
        description="Other actions and when they apply."
    )
    trace: list[TraceEntry] = strawberry.field(description="Rules examined, in order.")
    signals: list[Signal] = strawberry.field(description="Proactive steps due.")
    scripts: Scripts = strawberry.field(description="Buyer messages in every language.")
    policy_id: str = strawberry.field(description="Platform policy that produced the decision.")
    policy_version: str = strawberry.field(description="Its version (with shop overrides: +shop).")
    evaluated_at: datetime = strawberry.field(description="The time the decision is for.")
    proactive: bool = strawberry.field(
        description="No buyer request is pending: the shop acts first (000 §1)."
    )
    overdue: bool = strawberry.field(
        description="A deadline to act by has passed with the case still open."
    )
    locale: strawberry.Private[Locale]

    @strawberry.field(description="The buyer message in the requested locale (default: zh-CN).")
    def script(self, locale: Locale | None = None) -> str:
        chosen = locale or self.locale
        return self.scripts.en if chosen is Locale.EN else self.scripts.zh_cn

    @classmethod
    def from_decision(cls, d: o.Decision, locale: Locale = Locale.ZH_CN) -> DecisionType:
        return cls(
            action=d.action,
            rule_id=d.rule_id,
            rule_summary=_RULE_SUMMARIES.get(d.rule_id, ""),
            rationale=d.rationale,
            facts=[DecisionFact(name=x.name, value=x.value) for x in d.facts],
            steps=list(d.steps),
            evidence=[
                EvidenceRequirement(kind=e.kind, needed=e.needed, present=e.present)
                for e in d.evidence
            ],
            deadlines=[Deadline(kind=x.kind, at=x.at, note=x.note) for x in d.deadlines],
            next_deadline=d.next_deadline,
            money_at_risk=[MoneyAtRisk(kind=m.kind, amount=m.amount) for m in d.money_at_risk],
            alternatives=[
                Alternative(action=a.action, rule_id=a.rule_id, condition=a.condition)
                for a in d.alternatives
            ],
            trace=[
                TraceEntry(rule_id=t.rule_id, matched=t.matched, reason=t.reason) for t in d.trace
            ],
            signals=[Signal(kind=s.kind, due_at=s.due_at, message=s.message) for s in d.signals],
            scripts=Scripts(zh_cn=d.scripts.zh_cn, en=d.scripts.en),
            policy_id=d.policy_id,
            policy_version=d.policy_version,
            evaluated_at=d.evaluated_at,
            proactive=d.proactive,
            overdue=d.overdue,
            locale=locale,
        )
