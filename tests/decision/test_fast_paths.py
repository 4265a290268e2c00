"""The shortcuts ``decide`` takes for speed keep what a caller sees."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from service.decision import decide
from service.decision.facts import (
    CaseFacts,
    OrderFacts,
    OrderStatus,
    Platform,
    RefundReason,
    ShipmentFacts,
)
from service.decision.outcome import Decision, FactUsed, Scripts, Signal, SignalKind, Signals
from service.decision.rules.base import fact


def _decision() -> Decision:
    return Decision(*[f.name for f in dataclasses.fields(Decision)][:15])  # type: ignore[arg-type]


def test_a_decision_built_through_its_twin_is_a_frozen_decision() -> None:
    d = _decision()
    assert type(d) is Decision
    assert d.rule_id == "rule_id" and d.overdue is False and d.proactive is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.rule_id = "X"  # type: ignore[misc]
    assert d == _decision()
    assert dataclasses.replace(d, rule_id="S4").rule_id == "S4"


@pytest.mark.parametrize(
    "value",
    [RefundReason.QUALITY, "QUALITY", True, 1, None, Decimal("1.0"), Decimal("1"), 0, False],
)
def test_a_shared_fact_reads_as_str_would(value: object) -> None:
    assert fact("x", value) == FactUsed("x", str(value))
    assert fact("x", value) == FactUsed("x", str(value))  # the second time, shared


def test_a_datetime_fact_reads_in_iso_form() -> None:
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert fact("at", at).value == at.isoformat()


def test_deferred_scripts_render_each_language_once_on_read() -> None:
    calls: list[bool] = []

    def render(english: bool) -> str:
        calls.append(english)
        return "en" if english else "zh"

    s = Scripts.deferred(render)
    assert calls == []
    assert (s.zh_cn, s.en, s.zh_cn, s.en) == ("zh", "en", "zh", "en")
    assert calls == [False, True]
    assert s == Scripts("zh", "en")


def test_signals_are_worked_out_on_first_read_and_compare_by_value() -> None:
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    signal = Signal(SignalKind.SEND_TRACKING_DETAILS, at, "send the details")
    calls: list[object] = []

    def compute(arg: object) -> tuple[Signal, ...]:
        calls.append(arg)
        return (signal,)

    s = Signals(compute, "facts")
    assert calls == []
    assert (s.value, s.value) == ((signal,), (signal,))
    assert calls == ["facts"]  # once
    assert s == Signals(lambda _: (signal,), None)
    assert s != Signals(lambda _: (), None)
    assert hash(s) == hash((signal,))


def test_a_decision_reads_the_signals_its_facts_give() -> None:
    # a parcel in transit whose tracking details are due: one signal, read twice
    confirmed = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    facts = CaseFacts(
        order=OrderFacts(
            order_number="PO-1",
            platform=Platform.PDD,
            amount=Decimal("20.00"),
            status=OrderStatus.SHIPPED,
            confirmed_at=confirmed,
        ),
        shipment=ShipmentFacts(
            carrier="YTO", tracking_number="YT1", tracking_uploaded_at=confirmed
        ),
    )
    now = confirmed + timedelta(hours=2)
    d = decide(facts, now)
    assert [s.kind for s in d.signals] == [SignalKind.SEND_TRACKING_DETAILS]
    assert d.signals is d.signals
    assert d == decide(facts, now) and hash(d.lazy_signals) == hash(decide(facts, now).lazy_signals)
