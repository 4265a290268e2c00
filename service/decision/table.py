"""The rule table: every rule as one row, in evaluation order per family."""

from __future__ import annotations

from service.decision.rules import after_signing as s
from service.decision.rules import before_delivery as r
from service.decision.rules import logistics as lg
from service.decision.rules import monitor as m
from service.decision.rules import platform_refunded as a
from service.decision.rules import proactive as v
from service.decision.rules import urge as u
from service.decision.rules.base import Rule, RuleSpec

ALL_RULES: tuple[Rule, ...] = (
    *u.RULES,
    r.r1_awaiting_group,
    r.r2_not_shipped,
    r.r3_offline_recall,
    r.r4_intercept,
    r.r5_after_rejection,
    r.r6_stagnant_in_transit,
    s.s1_proxy_signed,
    s.s2_signed_refund_only,
    s.s3_return_unwanted,
    s.s4_quality,
    s.s5_damaged_long_after,
    s.s6_missing_or_wrong,
    s.s7_damaged_in_transit,
    s.s8_threat,
    s.s9_door_delivery,
    a.a1_fast_refund_appeal,
    a.a2_pickup_too_late,
    a.a3_wrong_return_address,
    a.a4_refunded_in_transit,
    a.a5_refunded_nothing_to_win,
    *lg.RULES,
    v.v1_promise_ship_time,
    v.v2_inform_tracking,
    v.v3_apologise_for_delay,
    m.p0_monitor,
    m.p1_review,
)

RULES: tuple[RuleSpec, ...] = tuple(x.spec for x in ALL_RULES)
RULE_IDS: frozenset[str] = frozenset(x.id for x in RULES)


def render_rule_table() -> str:
    """Plain-text table, one row per rule: id, family, action(s), seed, summary."""
    head = ("ID", "FAMILY", "ACTION", "SEED", "SUMMARY")
    rows = [head] + [
        (x.id, x.family, "/".join(a.value for a in x.actions), x.seed, x.summary) for x in RULES
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4]
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
