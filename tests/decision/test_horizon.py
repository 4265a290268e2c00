"""next_change: a decision stays the same (for what the queue stores) until then."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from service.decision import CaseFacts, Decision, InconsistentFacts, decide, policy_for
from service.decision.horizon import next_change
from tests.decision.factories import case, h, order
from tests.decision.test_properties import cases

TICK = timedelta(microseconds=1)


def stored(d: Decision) -> tuple[object, ...]:
    """What the case-state row keeps of a decision."""
    u = d.urgent_deadline
    return (
        d.action,
        d.rule_id,
        d.proactive,
        d.overdue,
        (u.at, u.kind) if u else None,
        sum(m.amount for m in d.money_at_risk),
    )


@settings(max_examples=1500, deadline=None)
@given(cases(), st.floats(min_value=0.0, max_value=1.0))
def test_nothing_stored_changes_before_next_change(
    cn: tuple[CaseFacts, datetime], fraction: float
) -> None:
    facts, now = cn
    policy = policy_for(facts.order.platform)
    try:
        d = decide(facts, now, policy)
    except InconsistentFacts:
        return
    change = next_change(facts, d, policy)
    assert change is None or change > now
    # the last instant before the change, and one in between, decide the same
    horizon = change if change is not None else now + timedelta(days=400)
    last = horizon - TICK
    inside = now + (last - now) * fraction
    for t in (inside, last):
        assert stored(decide(facts, t, policy)) == stored(d), (now, t, change)


def test_next_change_is_the_ship_by_boundary_of_an_unshipped_order() -> None:
    facts = case(order=order(group_formed_at=h(1)))
    policy = policy_for(facts.order.platform)
    d = decide(facts, h(2), policy)
    # V1 holds until the ship-by (h 49) inclusive, so the change is 1 µs after it
    assert next_change(facts, d, policy) == h(49)
    at_ship_by = decide(facts, h(49), policy)
    assert next_change(facts, at_ship_by, policy) == h(49) + TICK
    assert decide(facts, h(49) + TICK, policy).rule_id == "V3"
