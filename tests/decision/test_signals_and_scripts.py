"""Proactive signals and rendered scripts."""

from __future__ import annotations

from datetime import timedelta
from string import Formatter

import pytest

from service.decision import Inquiry, SignalKind, decide
from service.decision.scripts import COMPILED, TEMPLATES, compile_template
from tests.decision.factories import case, h, order, refund, shipment
from tests.decision.test_engine import GOLDEN, Golden

SEC = timedelta(seconds=1)


def kinds(facts: object, now: object) -> set[SignalKind]:
    return {s.kind for s in decide(facts, now).signals}  # type: ignore[arg-type]


def test_ship_by_approaching_window() -> None:
    # ship-by h(48), lead 6 h
    assert SignalKind.SHIP_BY_APPROACHING not in kinds(case(), h(42) - SEC)
    assert SignalKind.SHIP_BY_APPROACHING in kinds(case(), h(42))
    assert SignalKind.SHIP_BY_APPROACHING in kinds(case(), h(48))
    assert SignalKind.SHIP_BY_APPROACHING not in kinds(case(), h(48) + SEC)


def test_pickup_limit_approaching() -> None:
    facts = case(shipment=shipment(tracking_uploaded_at=h(2)))
    assert SignalKind.PICKUP_LIMIT_APPROACHING in kinds(facts, h(21))
    assert SignalKind.PICKUP_LIMIT_APPROACHING not in kinds(facts, h(19))
    assert SignalKind.PICKUP_LIMIT_APPROACHING not in kinds(facts, h(26) + SEC)


def test_auto_agree_approaching_on_any_decision() -> None:
    facts = case(refund=refund(requested_at=h(1)))
    assert SignalKind.AUTO_AGREE_APPROACHING in kinds(facts, h(49))
    assert SignalKind.AUTO_AGREE_APPROACHING not in kinds(facts, h(49) + SEC)
    assert SignalKind.AUTO_AGREE_APPROACHING not in kinds(facts, h(30))


def test_tell_expected_ship_time_after_group_formed() -> None:
    assert SignalKind.TELL_EXPECTED_SHIP_TIME in kinds(
        case(order=order(group_formed_at=h(1))), h(2)
    )
    assert SignalKind.TELL_EXPECTED_SHIP_TIME not in kinds(case(), h(2))


def test_send_tracking_details_after_upload() -> None:
    facts = case(shipment=shipment(tracking_uploaded_at=h(2)), inquiry=Inquiry.URGE_SHIPMENT)
    assert SignalKind.SEND_TRACKING_DETAILS in kinds(facts, h(3))


@pytest.mark.parametrize("g", GOLDEN, ids=[g.name for g in GOLDEN])
def test_scripts_fully_filled(g: Golden) -> None:
    s = decide(g.facts, g.now).scripts
    for text in (s.zh_cn, s.en):
        assert text
        for bad in ("{", "}", "XX", "***", "None"):
            assert bad not in text, (bad, text)
    assert g.facts.order.order_number in s.zh_cn
    assert g.facts.order.order_number in s.en


def test_missing_carrier_and_number_render_readably() -> None:
    facts = case(
        shipment=shipment(carrier=None, tracking_number=None, shipped_offline_at=h(1)),
        inquiry=Inquiry.URGE_SHIPMENT,
    )
    s = decide(facts, h(2)).scripts
    assert "单号待补" in s.zh_cn and "number pending" in s.en


def test_every_template_has_both_languages() -> None:
    for key, (zh, en) in TEMPLATES.items():
        assert zh and en, key
        assert "{order}" in zh and "{order}" in en, key


def test_compiled_renderers_fill_templates_like_format_map() -> None:
    for key, (zh, en) in TEMPLATES.items():
        names = {n for t in (zh, en) for _, n, _, _ in Formatter().parse(t) if n}
        params = {n: f"<{n}%s{{}}>" for n in names}  # values with format characters
        render_zh, render_en = COMPILED[key]
        assert render_zh(params) == zh.format_map(params), key
        assert render_en(params) == en.format_map(params), key


def test_a_template_placeholder_must_be_a_bare_name() -> None:
    with pytest.raises(ValueError, match="bare name"):
        compile_template("订单{order!r}")
    with pytest.raises(ValueError, match="bare name"):
        compile_template("{amount:.2f} CNY")
