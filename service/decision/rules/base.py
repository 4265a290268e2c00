"""The rule shape: a named check that either explains why it does not apply or
returns an :class:`Outcome` (first match wins, see ``engine.CHAINS``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from service.decision.derive import Ctx
from service.decision.facts import EvidenceKind
from service.decision.outcome import Action, Alternative, Deadline, FactUsed, MoneyAtRisk
from service.decision.timefmt import iso


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One row of the rule table. ``actions[0]`` is the usual action; some rules
    pick between a few (e.g. S5 asks for photos first, then reissues)."""

    id: str
    summary: str
    actions: tuple[Action, ...]
    seed: str
    family: str

    @property
    def action(self) -> Action:
        return self.actions[0]


@dataclass(slots=True)
class Outcome:
    """What a matching rule contributes; the engine adds the common parts."""

    action: Action
    rationale: str
    facts: tuple[FactUsed, ...]
    steps: tuple[str, ...]
    script: str  # key into scripts.TEMPLATES
    needs: tuple[EvidenceKind, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    money: tuple[MoneyAtRisk, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    params: dict[str, str] | None = None  # extra script placeholders, e.g. {"days": "31"}


Check = Callable[[Ctx], "str | Outcome"]


@dataclass(frozen=True, slots=True)
class Rule:
    spec: RuleSpec
    evaluate: Check


def rule(
    rule_id: str, summary: str, *actions: Action, seed: str, family: str
) -> Callable[[Check], Rule]:
    """Declare a rule: the decorated check returns a reason string when the rule
    does not apply, or the :class:`Outcome` when it does."""

    def wrap(fn: Check) -> Rule:
        return Rule(RuleSpec(rule_id, summary, tuple(actions), seed, family), fn)

    return wrap


def fact(name: str, value: object) -> FactUsed:
    """A deciding fact; datetimes shown in ISO form, everything else via str()."""
    if isinstance(value, datetime):
        return FactUsed(name, iso(value))
    return FactUsed(name, str(value))
