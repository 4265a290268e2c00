"""The rule shape: a named check that either explains why it does not apply or
returns an :class:`Outcome` (first match wins, see ``engine.CHAINS``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from service.decision import facts as facts_module
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


# Facts whose value is an enum member, a bool or None repeat verbatim ("refund.reason:
# QUALITY"), so each is built once and shared, as the engine shares trace entries. The
# names are literals and these values few, so the table stays small. Only these types:
# for them equal values read the same (True == 1 and Decimal("1.0") == Decimal("1") do
# not), so a shared entry always shows what str() would.
_SHARED_TYPES: frozenset[type] = frozenset(
    {
        bool,
        type(None),
        *(t for t in vars(facts_module).values() if isinstance(t, type) and issubclass(t, Enum)),
    }
)
_SHARED: dict[tuple[str, object], FactUsed] = {}


def fact(name: str, value: object) -> FactUsed:
    """A deciding fact; datetimes shown in ISO form, everything else via str()."""
    cls = value.__class__
    if cls in _SHARED_TYPES:
        key = (name, value)
        found = _SHARED.get(key)
        if found is None:
            found = _SHARED[key] = FactUsed(name, str(value))
        return found
    if cls is str:
        return FactUsed(name, value)  # type: ignore[arg-type]
    if isinstance(value, datetime):
        return FactUsed(name, iso(value))
    return FactUsed(name, str(value))
