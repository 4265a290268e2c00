"""Plain factory functions with keyword defaults for decision facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from service.decision.facts import (
    CaseFacts,
    EvidenceKind,
    ExemptionFacts,
    Inquiry,
    OrderFacts,
    OrderStatus,
    Platform,
    PlatformRefundKind,
    RefundFacts,
    RefundReason,
    RefundStatus,
    RefundType,
    ShipmentFacts,
    SignerKind,
    TrackingEvent,
    TrackingEventKind,
)

# 10:00 in Shanghai.
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
T_REQUESTED = T0 + timedelta(hours=1)
T_SIGNED = T0 + timedelta(hours=40)
ORDER_NO = "240601-1234567890"


def h(hours: float) -> datetime:
    """T0 plus ``hours``."""
    return T0 + timedelta(hours=hours)


def order(
    *,
    order_number: str = ORDER_NO,
    platform: Platform = Platform.PDD,
    amount: Decimal = Decimal("59.90"),
    status: OrderStatus = OrderStatus.AWAITING_SHIPMENT,
    confirmed_at: datetime = T0,
    group_formed_at: datetime | None = None,
    ship_by: datetime | None = None,
    can_fulfil: bool = True,
    return_address_complete: bool = True,
    remote_destination: bool = False,
    force_majeure_exempt: bool = False,
    destination_province: str | None = None,
    destination_city: str | None = None,
) -> OrderFacts:
    return OrderFacts(
        order_number=order_number,
        platform=platform,
        amount=amount,
        status=status,
        confirmed_at=confirmed_at,
        group_formed_at=group_formed_at,
        ship_by=ship_by,
        can_fulfil=can_fulfil,
        return_address_complete=return_address_complete,
        remote_destination=remote_destination,
        force_majeure_exempt=force_majeure_exempt,
        destination_province=destination_province,
        destination_city=destination_city,
    )


_default_order = order


def ev(at: datetime, kind: TrackingEventKind, place: str = "") -> TrackingEvent:
    return TrackingEvent(at=at, kind=kind, place=place)


def shipment(
    *,
    carrier: str | None = "中通快递",
    tracking_number: str | None = "ZT7788990011",
    shipped_offline_at: datetime | None = None,
    tracking_uploaded_at: datetime | None = None,
    picked_up_at: datetime | None = None,
    events: tuple[TrackingEvent, ...] = (),
    signer: SignerKind | None = None,
    interceptable: bool | None = None,
    outbound_recorded: bool | None = None,
    expected_weight_g: int | None = None,
    recorded_weight_g: int | None = None,
) -> ShipmentFacts:
    return ShipmentFacts(
        carrier=carrier,
        tracking_number=tracking_number,
        shipped_offline_at=shipped_offline_at,
        tracking_uploaded_at=tracking_uploaded_at,
        picked_up_at=picked_up_at,
        events=events,
        signer=signer,
        interceptable=interceptable,
        outbound_recorded=outbound_recorded,
        expected_weight_g=expected_weight_g,
        recorded_weight_g=recorded_weight_g,
    )


def in_transit(**kw: object) -> ShipmentFacts:
    """Uploaded at h(2), picked up at h(3), sorted at h(10)."""
    base: dict[str, object] = {
        "tracking_uploaded_at": h(2),
        "picked_up_at": h(3),
        "events": (
            ev(h(3), TrackingEventKind.PICKUP),
            ev(h(10), TrackingEventKind.SORTING_ARRIVAL),
        ),
    }
    base.update(kw)
    return shipment(**base)  # type: ignore[arg-type]


def signed(
    at: datetime = T_SIGNED, signer: SignerKind = SignerKind.BUYER, **kw: object
) -> ShipmentFacts:
    base: dict[str, object] = {
        "tracking_uploaded_at": h(2),
        "picked_up_at": h(3),
        "events": (
            ev(h(3), TrackingEventKind.PICKUP),
            ev(h(10), TrackingEventKind.SORTING_DEPARTURE),
            ev(at - timedelta(hours=2), TrackingEventKind.OUT_FOR_DELIVERY),
            ev(at, TrackingEventKind.SIGNED),
        ),
        "signer": signer,
    }
    base.update(kw)
    return shipment(**base)  # type: ignore[arg-type]


def refund(
    *,
    refund_number: str = "RF-1",
    order_number: str = ORDER_NO,
    type: RefundType = RefundType.REFUND_ONLY,
    reason: RefundReason = RefundReason.NO_REASON,
    status: RefundStatus = RefundStatus.PENDING,
    requested_at: datetime = T_REQUESTED,
    amount: Decimal | None = None,
    refunded_at: datetime | None = None,
    platform_refund: PlatformRefundKind | None = None,
    buyer_evidence: frozenset[EvidenceKind] = frozenset(),
    threatens_review: bool = False,
    free_reissues_given: int = 0,
    return_tracking_number: str | None = None,
    return_to_wrong_address: bool = False,
) -> RefundFacts:
    return RefundFacts(
        refund_number=refund_number,
        order_number=order_number,
        type=type,
        reason=reason,
        status=status,
        requested_at=requested_at,
        amount=amount,
        refunded_at=refunded_at,
        platform_refund=platform_refund,
        buyer_evidence=buyer_evidence,
        threatens_review=threatens_review,
        free_reissues_given=free_reissues_given,
        return_tracking_number=return_tracking_number,
        return_to_wrong_address=return_to_wrong_address,
    )


def case(
    *,
    order: OrderFacts | None = None,
    shipment: ShipmentFacts | None = None,
    refund: RefundFacts | None = None,
    inquiry: Inquiry | None = None,
    merchant_evidence: frozenset[EvidenceKind] = frozenset(),
    exemption: ExemptionFacts | None = None,
) -> CaseFacts:
    return CaseFacts(
        order=order if order is not None else _default_order(),
        shipment=shipment,
        refund=refund,
        inquiry=inquiry,
        merchant_evidence=merchant_evidence,
        exemption=exemption,
    )
