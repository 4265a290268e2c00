"""Stored rows → the decision module's facts. One place, so the API's stored cases and
its stateless ``recommend`` feed the rules exactly the same shapes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from service.db.models import (
    EvidenceItem,
    Exemption,
    Order,
    RefundRequest,
    Shipment,
    Shop,
    TrackingEvent,
)
from service.db.models.evidence import EvidenceSource
from service.decision import facts as f
from service.decision.exemptions import covering
from service.decision.policy import Policy, ShopPolicyOverrides, policy_for


def order_facts(order: Order) -> f.OrderFacts:
    return f.OrderFacts(
        order_number=order.order_number,
        platform=order.platform,
        amount=order.amount,
        status=order.status,
        confirmed_at=order.confirmed_at,
        group_formed_at=order.group_formed_at,
        ship_by=order.ship_by,
        can_fulfil=order.can_fulfil,
        return_address_complete=order.return_address_complete,
        remote_destination=order.remote_destination,
        force_majeure_exempt=order.force_majeure_exempt,
        destination_province=order.destination_province,
        destination_city=order.destination_city,
    )


def shipment_facts(shipment: Shipment, events: Sequence[TrackingEvent]) -> f.ShipmentFacts:
    return f.ShipmentFacts(
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        shipped_offline_at=shipment.shipped_offline_at,
        tracking_uploaded_at=shipment.tracking_uploaded_at,
        picked_up_at=shipment.picked_up_at,
        events=tuple(
            f.TrackingEvent(at=e.at, kind=e.kind, place=e.place)
            for e in sorted(events, key=lambda e: (e.at, e.id))
        ),
        signer=shipment.signer,
        interceptable=shipment.interceptable,
        outbound_recorded=shipment.outbound_recorded,
        expected_weight_g=shipment.expected_weight_g,
        recorded_weight_g=shipment.recorded_weight_g,
    )


def refund_facts(
    refund: RefundRequest, order: Order, evidence: Iterable[EvidenceItem]
) -> f.RefundFacts:
    return f.RefundFacts(
        refund_number=refund.refund_number,
        order_number=order.order_number,
        type=refund.type,
        reason=refund.reason,
        status=refund.status,
        requested_at=refund.requested_at,
        amount=refund.amount,
        refunded_at=refund.refunded_at,
        platform_refund=refund.platform_refund,
        buyer_evidence=frozenset(
            e.kind
            for e in evidence
            if e.source is EvidenceSource.BUYER and e.refund_request_id in (None, refund.id)
        ),
        threatens_review=refund.threatens_review,
        free_reissues_given=refund.free_reissues_given,
        return_tracking_number=refund.return_tracking_number,
        return_to_wrong_address=refund.return_to_wrong_address,
    )


def case_facts(
    order: Order,
    shipment: Shipment | None,
    events: Sequence[TrackingEvent],
    evidence: Sequence[EvidenceItem],
    refund: RefundRequest | None = None,
    inquiry: f.Inquiry | None = None,
    exemptions: Sequence[f.ExemptionFacts] = (),
) -> f.CaseFacts:
    """The case's facts; ``exemptions`` are the shop's standing ones, of which the one
    covering this parcel (if any) becomes the case's exemption fact."""
    of_order = order_facts(order)
    of_shipment = shipment_facts(shipment, events) if shipment is not None else None
    return f.CaseFacts(
        order=of_order,
        shipment=of_shipment,
        refund=refund_facts(refund, order, evidence) if refund is not None else None,
        inquiry=inquiry,
        merchant_evidence=frozenset(
            e.kind for e in evidence if e.source is EvidenceSource.MERCHANT
        ),
        exemption=covering(exemptions, of_order, of_shipment) if exemptions else None,
    )


def exemption_facts(row: Exemption) -> f.ExemptionFacts:
    return f.ExemptionFacts(
        number=row.id,
        carrier=row.carrier,
        province=row.province,
        city=row.city,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )


# Shop columns that override a policy parameter, named as in ShopPolicyOverrides.
OVERRIDE_COLUMNS = (
    "coupon_amount",
    "ship_window_hours",
    "respond_by_hours",
    "respond_by_warning_hours",
    "ship_by_warning_hours",
    "pickup_by_warning_hours",
    "appeal_closes_warning_hours",
    "carrier_names",
)


def shop_overrides(shop: Shop | Any) -> ShopPolicyOverrides | None:
    """The overrides stored on a shop (an ORM object or a row with its columns)."""
    values = {name: getattr(shop, name) for name in OVERRIDE_COLUMNS}
    if all(v is None for v in values.values()):
        return None
    carriers = values["carrier_names"]
    values["carrier_names"] = (
        tuple((str(code), str(name)) for code, name in carriers) if carriers else None
    )
    return ShopPolicyOverrides(**values)


def shop_policy(shop: Shop, platform: f.Platform | None = None) -> Policy:
    return policy_for(platform or shop.platform, shop_overrides(shop))


def stored_times(case: f.CaseFacts) -> Iterator[datetime]:
    """Every time among a case's facts."""
    order = case.order
    yield from (t for t in (order.confirmed_at, order.group_formed_at, order.ship_by) if t)
    if case.shipment is not None:
        sh = case.shipment
        stamps = (sh.shipped_offline_at, sh.tracking_uploaded_at, sh.picked_up_at)
        yield from (t for t in stamps if t)
        yield from (e.at for e in sh.events)
    if case.refund is not None:
        yield from (t for t in (case.refund.requested_at, case.refund.refunded_at) if t)
