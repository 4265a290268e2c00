"""Input types shared by the ingest mutations and the stateless ``recommend``, so a
caller learns one vocabulary, and their translation into decision facts."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

import strawberry

from service.decision import facts as f
from service.graphql.errors import UserError, UserErrorCode, UserInputError
from service.graphql.types.enums import (
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
)
from service.store.ingest import camel, fact_field

MAX_EVENTS = 200
MAX_AMOUNT = Decimal("10000000")
MAX_WEIGHT_G = 1_000_000
MAX_TEXT = 64
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")


@strawberry.input(description="A tracking event reported by the carrier.")
class TrackingEventInput:
    at: datetime = strawberry.field(description="When it happened (with UTC offset).")
    kind: TrackingEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    place: str = strawberry.field(default="", description="Where (at most 200 characters).")


@strawberry.input(description="An order as the platform reports it.")
class OrderInput:
    order_number: str = strawberry.field(description="The platform's order number (upsert key).")
    platform: Platform = strawberry.field(description="Marketplace.")  # type: ignore[valid-type]
    amount: Decimal = strawberry.field(description="Order amount in CNY, > 0, at most 2 decimals.")
    status: OrderStatus = strawberry.field(description="Order status.")  # type: ignore[valid-type]
    confirmed_at: datetime = strawberry.field(description="When the order was confirmed.")
    group_formed_at: datetime | None = strawberry.field(default=None, description="成团 time.")
    ship_by: datetime | None = strawberry.field(
        default=None, description="Promised ship-by; null: group formed + policy window."
    )
    can_fulfil: bool = strawberry.field(default=True, description="Stock allows fulfilment.")
    return_address_complete: bool = strawberry.field(
        default=True, description="Return address has street and number."
    )
    remote_destination: bool = strawberry.field(
        default=False, description="Remote or overseas destination."
    )
    force_majeure_exempt: bool = strawberry.field(
        default=False, description="A platform force-majeure exemption applies."
    )


@strawberry.input(description="A parcel: carrier, tracking and what the carrier recorded.")
class ShipmentInput:
    carrier: str | None = strawberry.field(default=None, description="Carrier name.")
    tracking_number: str | None = strawberry.field(default=None, description="Tracking number.")
    shipped_offline_at: datetime | None = strawberry.field(
        default=None, description="Handed to the carrier offline."
    )
    tracking_uploaded_at: datetime | None = strawberry.field(
        default=None, description="Tracking number uploaded online."
    )
    picked_up_at: datetime | None = strawberry.field(
        default=None, description="Pickup scan (揽件)."
    )
    signer: SignerKind | None = strawberry.field(default=None, description="Who signed.")  # type: ignore[valid-type]
    interceptable: bool | None = strawberry.field(
        default=None, description="Interception still possible; null: derive from events."
    )
    outbound_recorded: bool | None = strawberry.field(
        default=None, description="Warehouse outbound record exists."
    )
    expected_weight_g: int | None = strawberry.field(default=None, description="Expected grams.")
    recorded_weight_g: int | None = strawberry.field(
        default=None, description="Grams the carrier weighed."
    )
    events: list[TrackingEventInput] | None = strawberry.field(
        default=None, description=f"Tracking events (at most {MAX_EVENTS})."
    )


@strawberry.input(description="A buyer's refund request.")
class RefundRequestInput:
    refund_number: str = strawberry.field(description="The platform's after-sales id.")
    type: RefundType = strawberry.field(description="Refund only / return and refund.")  # type: ignore[valid-type]
    reason: RefundReason = strawberry.field(description="The buyer's reason.")  # type: ignore[valid-type]
    requested_at: datetime = strawberry.field(description="When it was filed.")
    status: RefundStatus = strawberry.field(  # type: ignore[valid-type]
        default=f.RefundStatus.PENDING, description="Where it stands."
    )
    amount: Decimal | None = strawberry.field(
        default=None, description="Amount asked; null: the whole order."
    )
    refunded_at: datetime | None = strawberry.field(default=None, description="When refunded.")
    platform_refund: PlatformRefundKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Set when the platform refunded by itself."
    )
    buyer_evidence: list[EvidenceKind] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Evidence the buyer supplied."
    )
    threatens_review: bool = strawberry.field(
        default=False, description="Buyer threatens a bad review / dispute for cash."
    )
    free_reissues_given: int = strawberry.field(
        default=0, description="Free reissues already given."
    )
    return_tracking_number: str | None = strawberry.field(
        default=None, description="Return parcel tracking number."
    )
    return_to_wrong_address: bool = strawberry.field(
        default=False, description="The return went to a wrong address."
    )


@strawberry.input(description="Every fact of one case, inline; nothing is stored.")
class CaseInput:
    order: OrderInput = strawberry.field(description="The order.")
    shipment: ShipmentInput | None = strawberry.field(default=None, description="Its parcel.")
    refund_request: RefundRequestInput | None = strawberry.field(
        default=None, description="The refund request, if any."
    )
    inquiry: Inquiry | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The buyer's inquiry, if no refund request."
    )
    merchant_evidence: list[EvidenceKind] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Evidence the merchant holds."
    )


# -- validation -------------------------------------------------------------------


class Problems:
    """Collects every problem of an input before anything is written."""

    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def add(
        self, path: list[str], message: str, code: UserErrorCode = UserErrorCode.INVALID
    ) -> None:
        self.errors.append(UserError(field=path, code=code, message=message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise UserInputError(self.errors)


def check_number(problems: Problems, path: list[str], value: str | None) -> None:
    if value is not None and not _NUMBER.match(value):
        problems.add(
            path, "must be 1-64 letters, digits or . _ - : / (starting with a letter or digit)"
        )


def check_text(
    problems: Problems, path: list[str], value: str | None, limit: int = MAX_TEXT
) -> None:
    if value is not None and (len(value) > limit or any(ord(c) < 32 for c in value)):
        problems.add(path, f"must be at most {limit} printable characters")


def check_money(problems: Problems, path: list[str], value: Decimal | None) -> None:
    if value is None:
        return
    try:
        ok = value.is_finite() and value > 0 and value <= MAX_AMOUNT
        cents_ok = ok and (value * 100) == (value * 100).to_integral_value()
    except InvalidOperation:
        ok = cents_ok = False
    if not ok:
        problems.add(path, f"must be a positive amount of CNY up to {MAX_AMOUNT}")
    elif not cents_ok:
        problems.add(path, "must have at most two decimal places")


def check_order(problems: Problems, path: list[str], order: OrderInput) -> None:
    check_number(problems, [*path, "orderNumber"], order.order_number)
    check_money(problems, [*path, "amount"], order.amount)


def check_shipment(problems: Problems, path: list[str], s: ShipmentInput) -> None:
    check_text(problems, [*path, "carrier"], s.carrier)
    check_number(problems, [*path, "trackingNumber"], s.tracking_number)
    for name in ("expected_weight_g", "recorded_weight_g"):
        value = getattr(s, name)
        if value is not None and not 0 <= value <= MAX_WEIGHT_G:
            problems.add([*path, camel(name)], f"must be between 0 and {MAX_WEIGHT_G} grams")
    check_events(problems, [*path, "events"], s.events or [])


def check_events(problems: Problems, path: list[str], events: list[TrackingEventInput]) -> None:
    if len(events) > MAX_EVENTS:
        problems.add(path, f"at most {MAX_EVENTS} events per call", UserErrorCode.TOO_MANY)
    for i, event in enumerate(events):
        check_text(problems, [*path, str(i), "place"], event.place, 200)


def check_refund(problems: Problems, path: list[str], r: RefundRequestInput) -> None:
    check_number(problems, [*path, "refundNumber"], r.refund_number)
    check_money(problems, [*path, "amount"], r.amount)
    check_number(problems, [*path, "returnTrackingNumber"], r.return_tracking_number)
    if not 0 <= r.free_reissues_given <= 100:
        problems.add([*path, "freeReissuesGiven"], "must be between 0 and 100")


# -- translation to facts -----------------------------------------------------------


def order_facts(o: OrderInput) -> f.OrderFacts:
    return f.OrderFacts(
        order_number=o.order_number,
        platform=f.Platform(o.platform),
        amount=o.amount,
        status=f.OrderStatus(o.status),
        confirmed_at=o.confirmed_at,
        group_formed_at=o.group_formed_at,
        ship_by=o.ship_by,
        can_fulfil=o.can_fulfil,
        return_address_complete=o.return_address_complete,
        remote_destination=o.remote_destination,
        force_majeure_exempt=o.force_majeure_exempt,
    )


def shipment_facts(s: ShipmentInput) -> f.ShipmentFacts:
    events = sorted(s.events or [], key=lambda e: e.at)
    return f.ShipmentFacts(
        carrier=s.carrier,
        tracking_number=s.tracking_number,
        shipped_offline_at=s.shipped_offline_at,
        tracking_uploaded_at=s.tracking_uploaded_at,
        picked_up_at=s.picked_up_at,
        events=tuple(
            f.TrackingEvent(at=e.at, kind=f.TrackingEventKind(e.kind), place=e.place)
            for e in events
        ),
        signer=f.SignerKind(s.signer) if s.signer is not None else None,
        interceptable=s.interceptable,
        outbound_recorded=s.outbound_recorded,
        expected_weight_g=s.expected_weight_g,
        recorded_weight_g=s.recorded_weight_g,
    )


def refund_facts(r: RefundRequestInput, order_number: str) -> f.RefundFacts:
    return f.RefundFacts(
        refund_number=r.refund_number,
        order_number=order_number,
        type=f.RefundType(r.type),
        reason=f.RefundReason(r.reason),
        status=f.RefundStatus(r.status),
        requested_at=r.requested_at,
        amount=r.amount,
        refunded_at=r.refunded_at,
        platform_refund=f.PlatformRefundKind(r.platform_refund) if r.platform_refund else None,
        buyer_evidence=frozenset(f.EvidenceKind(k) for k in r.buyer_evidence or ()),
        threatens_review=r.threatens_review,
        free_reissues_given=r.free_reissues_given,
        return_tracking_number=r.return_tracking_number,
        return_to_wrong_address=r.return_to_wrong_address,
    )


def case_facts(c: CaseInput) -> f.CaseFacts:
    return f.CaseFacts(
        order=order_facts(c.order),
        shipment=shipment_facts(c.shipment) if c.shipment is not None else None,
        refund=refund_facts(c.refund_request, c.order.order_number)
        if c.refund_request is not None
        else None,
        inquiry=f.Inquiry(c.inquiry) if c.inquiry is not None else None,
        merchant_evidence=frozenset(f.EvidenceKind(k) for k in c.merchant_evidence or ()),
    )


def check_case(problems: Problems, path: list[str], c: CaseInput) -> None:
    check_order(problems, [*path, "order"], c.order)
    if c.shipment is not None:
        check_shipment(problems, [*path, "shipment"], c.shipment)
    if c.refund_request is not None:
        check_refund(problems, [*path, "refundRequest"], c.refund_request)


_FACT_TO_INPUT = {"refund": "refundRequest"}


def fact_path(prefix: list[str], dotted: str) -> list[str]:
    """``shipment.events[2].at`` → ``[*prefix, "shipment", "events", "2", "at"]``."""
    return list(fact_field(tuple(prefix), dotted, _FACT_TO_INPUT))
