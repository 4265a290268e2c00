"""Policy parameters, shop overrides and the fake-logistics fine."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from service.decision import (
    POLICIES,
    Platform,
    ShopPolicyOverrides,
    decide,
    fake_logistics_fine,
    policy_for,
)
from service.decision.outcome import DeadlineKind, RiskKind
from tests.decision.factories import case, h, refund

PDD = policy_for(Platform.PDD)


@pytest.mark.parametrize(
    ("amount", "fine"),
    [
        ("1", "5.00"),
        ("20.00", "5.00"),
        ("20.01", "5.00"),  # 25 % = 5.0025
        ("20.02", "5.01"),  # 5.005 rounds half up
        ("59.90", "14.98"),
        ("399.99", "100.00"),
        ("400", "100.00"),
        ("400.04", "100.00"),
        ("10000", "100.00"),
    ],
)
def test_fake_logistics_fine(amount: str, fine: str) -> None:
    assert fake_logistics_fine(Decimal(amount), PDD) == Decimal(fine)


def test_kuaishou_has_no_fast_refund_and_no_fine() -> None:
    ks = policy_for(Platform.KUAISHOU)
    assert not ks.fast_refund_supported and not ks.fake_logistics_fine_applies
    assert fake_logistics_fine(Decimal("100"), ks) == Decimal("0.00")


def test_base_policies_are_cached() -> None:
    assert policy_for(Platform.PDD) is POLICIES[Platform.PDD]
    assert policy_for(Platform.PDD, ShopPolicyOverrides()) is POLICIES[Platform.PDD]
    assert PDD.fast_refund_window == timedelta(hours=2)
    assert (PDD.appeal_opens_after_days, PDD.appeal_closes_after_days) == (3, 7)


def test_overrides_change_version_and_values() -> None:
    ov = ShopPolicyOverrides(coupon_amount=Decimal("8"), ship_window_hours=24, respond_by_hours=36)
    p = policy_for(Platform.PDD, ov)
    assert p.version == "2026.11.1+shop"
    assert (p.coupon_amount, p.ship_window_hours, p.respond_by_hours) == (Decimal("8.00"), 24, 36)
    assert policy_for(Platform.PDD, ov) is p
    d = decide(case(refund=refund(requested_at=h(1))), h(2), p)
    assert d.policy_version == "2026.11.1+shop"
    assert next(x.at for x in d.deadlines if x.kind is DeadlineKind.RESPOND_BY) == h(37)
    assert next(x.at for x in d.deadlines if x.kind is DeadlineKind.SHIP_BY) == h(24)


def test_coupon_override_reaches_script_and_money() -> None:
    from service.decision import Inquiry

    p = policy_for(Platform.PDD, ShopPolicyOverrides(coupon_amount=Decimal("12.5")))
    d = decide(case(inquiry=Inquiry.URGE_SHIPMENT), h(60), p)
    assert any(m.kind is RiskKind.COUPON and m.amount == Decimal("12.50") for m in d.money_at_risk)
    assert "12.50" in d.scripts.zh_cn and "12.50" in d.scripts.en


@pytest.mark.parametrize(
    ("ov", "field"),
    [
        (ShopPolicyOverrides(coupon_amount=Decimal("-1")), "coupon_amount"),
        (ShopPolicyOverrides(ship_window_hours=0), "ship_window_hours"),
        (ShopPolicyOverrides(ship_window_hours=-3), "ship_window_hours"),
        (ShopPolicyOverrides(respond_by_hours=0), "respond_by_hours"),
    ],
)
def test_bad_overrides_rejected(ov: ShopPolicyOverrides, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        policy_for(Platform.KUAISHOU, ov)
