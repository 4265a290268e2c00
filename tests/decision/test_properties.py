"""Hypothesis properties over generated, internally consistent cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from service.decision import (
    RULES,
    Action,
    CaseFacts,
    DeadlineKind,
    EvidenceKind,
    Inquiry,
    OrderStatus,
    Platform,
    PlatformRefundKind,
    RefundReason,
    RefundStatus,
    RefundType,
    SignerKind,
    TrackingEventKind,
    decide,
)
from tests.decision.factories import T0, ev, order, refund, shipment

RULE_IDS = {r.id for r in RULES}
HOURS = st.integers(min_value=0, max_value=24 * 40 * 60)  # minutes, up to 40 days


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@st.composite
def cases(draw: st.DrawFn) -> tuple[CaseFacts, datetime]:
    platform = draw(st.sampled_from(Platform))
    amount = Decimal(draw(st.integers(min_value=1, max_value=100_000))) / 100
    status = draw(st.sampled_from(OrderStatus))
    # A monotone timeline of minutes after confirmation.
    t = sorted(draw(st.lists(HOURS, min_size=8, max_size=8)))
    group = at(t[0]) if draw(st.booleans()) else None
    ship_by = at(t[1] + 60) if draw(st.booleans()) else None
    stage = draw(st.integers(min_value=0, max_value=5))
    sh = None
    if stage >= 1:
        offline = at(t[1]) if draw(st.booleans()) or stage == 1 else None
        uploaded = at(t[2]) if stage >= 2 else None
        picked = at(t[3]) if stage >= 3 else None
        events = []
        if stage >= 3:
            events.append(ev(at(t[3]), TrackingEventKind.PICKUP))
        if stage >= 4:
            events.append(ev(at(t[4]), draw(st.sampled_from(TrackingEventKind))))
        if stage >= 5:
            events.append(ev(at(t[5]), TrackingEventKind.SIGNED))
        sh = shipment(
            shipped_offline_at=offline,
            tracking_uploaded_at=uploaded,
            picked_up_at=picked,
            events=tuple(events),
            signer=draw(st.sampled_from(SignerKind)) if stage >= 5 else None,
            interceptable=draw(st.sampled_from([None, True, False])),
            outbound_recorded=draw(st.sampled_from([None, True, False])),
            expected_weight_g=draw(st.sampled_from([None, 500])),
            recorded_weight_g=draw(st.sampled_from([None, 400, 500])),
            carrier=draw(st.sampled_from([None, "圆通"])),
            tracking_number=draw(st.sampled_from([None, "YT1"])),
        )
    rf = None
    if draw(st.booleans()):
        rstatus = draw(st.sampled_from(RefundStatus))
        refunded = rstatus is RefundStatus.REFUNDED
        rf = refund(
            type=draw(st.sampled_from(RefundType)),
            reason=draw(st.sampled_from(RefundReason)),
            status=rstatus,
            requested_at=at(draw(st.sampled_from(t))),
            amount=draw(st.sampled_from([None, amount])),
            refunded_at=at(t[7]) if refunded else None,
            platform_refund=(
                draw(st.sampled_from([None, *PlatformRefundKind])) if refunded else None
            ),
            buyer_evidence=frozenset(draw(st.sets(st.sampled_from(EvidenceKind), max_size=3))),
            threatens_review=draw(st.booleans()),
            free_reissues_given=draw(st.integers(min_value=0, max_value=2)),
            return_to_wrong_address=draw(st.booleans()),
        )
    inquiry = draw(st.sampled_from([None, *Inquiry]))
    o = order(
        platform=platform,
        amount=amount,
        status=status,
        group_formed_at=group,
        ship_by=ship_by,
        can_fulfil=draw(st.booleans()),
        return_address_complete=draw(st.booleans()),
        remote_destination=draw(st.booleans()),
        force_majeure_exempt=draw(st.booleans()),
    )
    now = at(t[7] + draw(st.integers(min_value=0, max_value=60 * 24 * 10)))
    return CaseFacts(order=o, shipment=sh, refund=rf, inquiry=inquiry), now


@settings(max_examples=400, deadline=None)
@given(cases())
def test_properties(cn: tuple[CaseFacts, datetime]) -> None:
    c, now = cn
    d = decide(c, now)
    # determinism
    assert decide(c, now) == d
    assert d.rule_id in RULE_IDS
    assert all(t.rule_id in RULE_IDS for t in d.trace)
    assert d.evaluated_at == now
    # scripts fully rendered
    for text in (d.scripts.zh_cn, d.scripts.en):
        assert "{" not in text and "}" not in text and "XX" not in text and "***" not in text
    # money non-negative and to the cent
    for m in d.money_at_risk:
        assert m.amount >= 0
        assert m.amount == m.amount.quantize(Decimal("0.01"))
        assert m.amount.as_tuple().exponent == -2
    # deadlines never precede the facts they derive from
    o, rf, sh = c.order, c.refund, c.shipment
    for dl in d.deadlines:
        if dl.kind is DeadlineKind.RESPOND_BY:
            assert rf is not None and dl.at >= rf.requested_at
        elif dl.kind in (DeadlineKind.SHIP_BY, DeadlineKind.PROMISED_SHIP_AT):
            assert dl.at >= o.confirmed_at
        elif dl.kind is DeadlineKind.PICKUP_BY:
            assert sh is not None and sh.tracking_uploaded_at is not None
            assert dl.at >= sh.tracking_uploaded_at
        elif dl.kind in (DeadlineKind.APPEAL_OPENS, DeadlineKind.APPEAL_CLOSES):
            assert rf is not None and rf.refunded_at is not None and dl.at >= rf.refunded_at
    # an appeal is only recommended before its window closes
    if d.action is Action.APPEAL_FAST_REFUND:
        closes = [x.at for x in d.deadlines if x.kind is DeadlineKind.APPEAL_CLOSES]
        assert closes and now <= closes[0]
    for s in d.signals:
        assert s.message
