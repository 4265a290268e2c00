"""``decide``: facts + now + policy -> Decision.

Routing picks one chain; inside it rules are tried in declared order and the
first match wins (GoRules "first" hit policy). Every rule examined leaves a
trace entry saying whether it matched and why.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import UTC, datetime

from service.decision.derive import NOT_SHIPPED, OFFLINE_ONLY, SIGNED, Ctx
from service.decision.facts import CaseFacts, EvidenceKind, OrderStatus, RefundStatus
from service.decision.outcome import (
    OVERDUE_KINDS,
    Action,
    Deadline,
    DeadlineKind,
    Decision,
    EvidenceItem,
    MoneyAtRisk,
    RiskKind,
    Scripts,
    Signals,
    TraceEntry,
)
from service.decision.policy import CENT, Policy, policy_for
from service.decision.rules import after_signing as s
from service.decision.rules import before_delivery as r
from service.decision.rules import logistics as lg
from service.decision.rules import monitor as m
from service.decision.rules import platform_refunded as a
from service.decision.rules import proactive as v
from service.decision.rules import urge as u
from service.decision.rules.base import Check, Outcome, Rule
from service.decision.scripts import COMPILED
from service.decision.signals import signals_for
from service.decision.validation import InconsistentFacts, Problem, check_facts

# Enum members read on every call, as module globals: in Python 3.11 reading one off
# its class (``RefundStatus.PENDING``) goes through EnumType.__getattr__'s slow hook,
# about ten times a global's cost.
_STATUS_PENDING = RefundStatus.PENDING
_STATUS_REFUNDED = RefundStatus.REFUNDED
_NO_ACTION = Action.NO_ACTION
_CANCELLED = OrderStatus.CANCELLED
_RESPOND_BY = DeadlineKind.RESPOND_BY
_SHIP_BY = DeadlineKind.SHIP_BY
_PICKUP_BY = DeadlineKind.PICKUP_BY
_REFUND_AMOUNT = RiskKind.REFUND_AMOUNT

# The platform already refunded: only appeal or recovery is left (001).
REFUNDED_CHAIN: tuple[Rule, ...] = (
    a.a3_wrong_return_address,
    a.a4_refunded_in_transit,
    a.a2_pickup_too_late,
    a.a1_fast_refund_appeal,
    a.a5_refunded_nothing_to_win,
)
# A buyer message that is not a refund request (an inquiry outranks a pending
# refund: the buyer's latest word is that they still want the parcel, 000 (1)1).
INQUIRY_CHAIN: tuple[Rule, ...] = (
    s.s9_door_delivery,
    u.u1_shipped_offline_no_tracking,
    u.u2_promise_before_ship_by,
    u.u3_late_apologise,
    u.u4_cannot_ship,
    *lg.RULES,  # anomalies override INFORM_TRACKING
    u.u5_inform_tracking,
    m.p0_monitor,
)
# A pending refund before the parcel is signed for (000 (2), 001, 003 §1-3).
BEFORE_DELIVERY_CHAIN: tuple[Rule, ...] = (
    r.r1_awaiting_group,
    r.r2_not_shipped,
    r.r3_offline_recall,
    s.s9_door_delivery,
    r.r6_stagnant_in_transit,  # before R4/R5: same actions plus chasing the carrier
    r.r4_intercept,
    r.r5_after_rejection,
    m.p1_review,
)
# A pending refund once the parcel is signed for (002, 003 §4-8).
AFTER_SIGNING_CHAIN: tuple[Rule, ...] = (
    s.s9_door_delivery,
    s.s1_proxy_signed,  # verify who signed before judging anything else
    s.s8_threat,
    s.s5_damaged_long_after,
    s.s7_damaged_in_transit,
    s.s6_missing_or_wrong,
    s.s4_quality,
    s.s3_return_unwanted,
    s.s2_signed_refund_only,
    m.p1_review,
)
# No request to answer: anomalies first, then the proactive moves of 000 §1.
MONITOR_CHAIN: tuple[Rule, ...] = (*lg.RULES, *v.RULES, m.p0_monitor)


# A chain as the engine walks it: (rule id, check, that rule's cache of misses).
Step = tuple[str, Check, dict[str, TraceEntry]]

# Most "why not" reasons repeat verbatim ("reason is QUALITY"), so each rule keeps
# the trace entries it has built; reusing a frozen entry is cheaper than building
# it. Reasons that embed durations vary without end, hence the bound per rule.
_MISSES_PER_RULE = 256
_MISSES: dict[str, dict[str, TraceEntry]] = {}


def _plan(chain: tuple[Rule, ...]) -> tuple[Step, ...]:
    return tuple((r.spec.id, r.evaluate, _MISSES.setdefault(r.spec.id, {})) for r in chain)


_REFUNDED = _plan(REFUNDED_CHAIN)
_INQUIRY = _plan(INQUIRY_CHAIN)
_BEFORE_DELIVERY = _plan(BEFORE_DELIVERY_CHAIN)
_AFTER_SIGNING = _plan(AFTER_SIGNING_CHAIN)
_MONITOR = _plan(MONITOR_CHAIN)


def chain_for(case: CaseFacts, stage: str) -> tuple[Step, ...]:
    """The ordered rules that apply to this kind of case."""
    rf = case.refund
    if rf is not None and rf.status is _STATUS_REFUNDED:
        return _REFUNDED
    if case.inquiry is not None:
        return _INQUIRY
    if rf is not None and rf.status is _STATUS_PENDING:
        return _AFTER_SIGNING if stage == SIGNED else _BEFORE_DELIVERY
    # Agreed, rejected or cancelled refunds need no answer: watch the parcel.
    return _MONITOR


def decide(case: CaseFacts, now: datetime, policy: Policy | None = None) -> Decision:
    """Recommend the next after-sales move for ``case`` at instant ``now``.

    ``policy`` defaults to the platform's base policy. Raises
    :class:`InconsistentFacts` listing every contradiction in the facts, or when
    ``now`` is naive or earlier than the order confirmation. Deterministic: equal
    inputs give equal decisions.
    """
    tz = now.tzinfo
    # UTC (what the service passes) is known to be aware; only other zones are asked.
    if tz is None or (tz is not UTC and now.utcoffset() is None):
        raise InconsistentFacts((Problem("now", "datetime has no time zone"),))
    problems = check_facts(case)
    if problems:
        raise InconsistentFacts(problems)
    if now < case.order.confirmed_at:
        raise InconsistentFacts((Problem("now", "precedes the order confirmation"),))
    if policy is None:
        policy = policy_for(case.order.platform)
    c = Ctx(case, now, policy)

    trace: list[TraceEntry] = []
    chain = chain_for(case, c.stage)
    for rule_id, evaluate, misses in chain:
        res = evaluate(c)
        if res.__class__ is str:
            entry = misses.get(res)
            if entry is None:
                entry = TraceEntry(rule_id, False, res)
                if len(misses) < _MISSES_PER_RULE:
                    misses[res] = entry
            trace.append(entry)
            continue
        out: Outcome = res  # type: ignore[assignment]
        trace.append(TraceEntry(rule_id, True, out.rationale))
        break
    else:  # pragma: no cover - every chain ends in an unconditional fall-back
        raise AssertionError("no rule matched")

    deadlines = _deadlines(c, out)
    overdue = False
    for d in deadlines:  # a loop, not any(<generator>): most decisions have one or two
        if d.at < now and d.kind in OVERDUE_KINDS:
            overdue = True
            break
    return Decision(
        out.action,
        rule_id,
        out.rationale,
        out.facts,
        out.steps,
        _evidence(c, out),
        deadlines,
        _money(c, out),
        out.alternatives,
        tuple(trace),
        Signals(signals_for, c),
        _scripts(c, out),
        policy.policy_id,
        policy.version,
        now,
        chain is _MONITOR and out.action is not _NO_ACTION,
        overdue,
    )


# Only 9 kinds x 2 x 2 distinct items exist: build them once.
_ITEMS: dict[tuple[EvidenceKind, bool, bool], EvidenceItem] = {
    (k, n, p): EvidenceItem(k, n, p)
    for k in EvidenceKind
    for n in (True, False)
    for p in (True, False)
}


# (needs, evidence held) -> the evidence list. Rules declare few distinct needs and a
# case holds a handful of the 9 kinds, so few pairs ever occur; the bound only guards
# against a caller cycling through every subset.
_EvidenceKey = tuple[tuple[EvidenceKind, ...], frozenset[EvidenceKind]]
_EVIDENCE_LISTS: dict[_EvidenceKey, tuple[EvidenceItem, ...]] = {}
_EVIDENCE_LISTS_MAX = 4096


def _evidence(c: Ctx, out: Outcome) -> tuple[EvidenceItem, ...]:
    """Needed items first (present or not), then what is held but not needed."""
    key = (out.needs, c.evidence)
    try:
        items = _EVIDENCE_LISTS.get(key)
    except TypeError:  # a caller's plain set instead of the frozenset the facts declare
        return _evidence_list(*key)
    if items is None:
        items = _evidence_list(*key)
        if len(_EVIDENCE_LISTS) < _EVIDENCE_LISTS_MAX:
            _EVIDENCE_LISTS[key] = items
    return items


def _evidence_list(
    needed: tuple[EvidenceKind, ...], have: AbstractSet[EvidenceKind]
) -> tuple[EvidenceItem, ...]:
    items = [_ITEMS[k, True, k in have] for k in needed]
    items += [_ITEMS[k, False, True] for k in sorted(have) if k not in needed]
    return tuple(items)


def _deadlines(c: Ctx, out: Outcome) -> tuple[Deadline, ...]:
    ds = out.deadlines
    if c.respond_by is not None:
        ds += (Deadline(_RESPOND_BY, c.respond_by, "platform auto-agrees after"),)
    stage = c.stage
    sb = c.ship_by
    if sb is not None and stage in (NOT_SHIPPED, OFFLINE_ONLY) and c.order.status is not _CANCELLED:
        ds += (Deadline(_SHIP_BY, sb, "ship and upload tracking by"),)
    if c.pickup_by is not None:
        ds += (Deadline(_PICKUP_BY, c.pickup_by, "pickup scan needed by"),)
    return ds


def _money(c: Ctx, out: Outcome) -> tuple[MoneyAtRisk, ...]:
    ms = out.money
    ra = c.refund_amount
    if ra is None:
        return ms
    if not ms:
        return (MoneyAtRisk(_REFUND_AMOUNT, ra),)
    for x in ms:
        if x.kind is _REFUND_AMOUNT:
            return ms
    return (MoneyAtRisk(_REFUND_AMOUNT, ra), *ms)


def _scripts(c: Ctx, out: Outcome) -> Scripts:
    """The buyer messages, each language rendered only when read (most callers show
    one; a dashboard filtering by action reads none)."""
    zh, en = COMPILED[out.script]
    return Scripts.deferred(
        lambda english: (en if english else zh)(_script_params(c, out, english))
    )


def _script_params(c: Ctx, out: Outcome, english: bool) -> dict[str, str]:
    sh = c.shipment
    tracking = sh.tracking_number
    carrier = sh.carrier
    amount = c.refund_amount
    params = {
        "order": c.order.order_number,
        "tracking": tracking or "（单号待补）",
        "carrier": carrier or "快递公司",
        # Both amounts are already quantized to the cent, so str() shows two decimals.
        "amount": str(amount if amount is not None else c.order.amount.quantize(CENT)),
        "coupon": c.policy.coupon_text,
    }
    if out.params:
        params.update(out.params)
    if english:
        if tracking is None or carrier is None:
            params["tracking"] = tracking or "(number pending)"
            params["carrier"] = carrier or "the carrier"
    elif carrier is not None:
        # zh-CN names the carrier as the buyer knows it: ZTO -> 中通快递.
        params["carrier"] = c.policy.carrier_names.get(carrier, carrier)
    return params
