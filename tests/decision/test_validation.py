"""check_facts lists every inconsistency; decide refuses them (and a naive now)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from service.decision import InconsistentFacts, RefundStatus, TrackingEventKind, check_facts, decide
from tests.decision.factories import T0, case, ev, h, order, refund, shipment

NAIVE = datetime(2026, 11, 20, 10, 0)


def fields(c: object) -> set[str]:
    return {p.field for p in check_facts(c)}  # type: ignore[arg-type]


def test_consistent_case_has_no_problem() -> None:
    assert check_facts(case(shipment=shipment(tracking_uploaded_at=h(2)), refund=refund())) == ()


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        (case(order=order(confirmed_at=NAIVE)), "order.confirmed_at"),
        (case(shipment=shipment(picked_up_at=NAIVE)), "shipment.picked_up_at"),
        (
            case(
                shipment=shipment(
                    tracking_uploaded_at=h(1),
                    events=(
                        ev(h(2), TrackingEventKind.PICKUP),
                        ev(NAIVE, TrackingEventKind.SIGNED),
                        ev(h(3), TrackingEventKind.SIGNED),
                    ),
                )
            ),
            "shipment.events[1].at",
        ),
        (case(refund=refund(requested_at=NAIVE)), "refund.requested_at"),
        (case(order=order(amount=Decimal("0"))), "order.amount"),
        (case(order=order(amount=Decimal("-1"))), "order.amount"),
        (case(refund=refund(amount=Decimal("-1"))), "refund.amount"),
        (case(refund=refund(amount=Decimal("59.91"))), "refund.amount"),
        (case(refund=refund(order_number="OTHER")), "refund.order_number"),
        (case(refund=refund(free_reissues_given=-1)), "refund.free_reissues_given"),
        (case(refund=refund(status=RefundStatus.REFUNDED)), "refund.refunded_at"),
        (case(refund=refund(refunded_at=h(0.5))), "refund.refunded_at"),
        (case(refund=refund(requested_at=T0 - timedelta(hours=1))), "refund.requested_at"),
        (case(shipment=shipment(expected_weight_g=-5)), "shipment.expected_weight_g"),
        (case(shipment=shipment(recorded_weight_g=-5)), "shipment.recorded_weight_g"),
        (
            case(shipment=shipment(tracking_uploaded_at=h(5), picked_up_at=h(4))),
            "shipment.picked_up_at",
        ),
        (
            case(shipment=shipment(tracking_uploaded_at=T0 - timedelta(hours=1))),
            "shipment.tracking_uploaded_at",
        ),
        (
            case(
                shipment=shipment(
                    tracking_uploaded_at=h(5), events=(ev(h(4), TrackingEventKind.SIGNED),)
                )
            ),
            "shipment.events[0].at",
        ),
        (case(shipment=shipment(events=(ev(h(4), TrackingEventKind.SIGNED),))), "shipment.events"),
        (case(order=order(group_formed_at=T0 - timedelta(hours=1))), "order.group_formed_at"),
        (case(order=order(ship_by=T0 - timedelta(hours=1))), "order.ship_by"),
    ],
)
def test_each_inconsistency_is_reported(facts: object, field: str) -> None:
    assert field in fields(facts)


def test_pickup_before_upload_is_fine_when_shipped_offline_first() -> None:
    sh = shipment(shipped_offline_at=h(1), picked_up_at=h(2), tracking_uploaded_at=h(5))
    assert check_facts(case(shipment=sh)) == ()


def test_several_problems_are_all_listed() -> None:
    facts = case(
        order=order(amount=Decimal("10")),
        shipment=shipment(tracking_uploaded_at=h(5), picked_up_at=h(4), recorded_weight_g=-1),
        refund=refund(order_number="X", amount=Decimal("11"), free_reissues_given=-2),
    )
    with pytest.raises(InconsistentFacts) as err:
        decide(facts, h(10))
    assert {p.field for p in err.value.problems} == {
        "shipment.picked_up_at",
        "shipment.recorded_weight_g",
        "refund.order_number",
        "refund.amount",
        "refund.free_reissues_given",
    }
    assert "refund.order_number" in str(err.value)


def test_naive_now_refused() -> None:
    with pytest.raises(InconsistentFacts) as err:
        decide(case(), NAIVE)
    assert err.value.problems[0].field == "now"


def test_now_before_confirmation_refused() -> None:
    with pytest.raises(InconsistentFacts):
        decide(case(), T0 - timedelta(seconds=1))


def test_inconsistent_facts_is_a_value_error() -> None:
    assert issubclass(InconsistentFacts, ValueError)
