"""Input types shared by the ingest mutations and the stateless ``recommend``, so a
caller learns one vocabulary, and their translation into decision facts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
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


_NUMBER_RULE = "1-64 letters, digits or . _ - : / (starting with a letter or digit)"


@strawberry.input(description="A tracking event as the carrier reports it.")
class TrackingEventInput:
    at: datetime = strawberry.field(
        description="When the carrier recorded it, with a UTC offset (the carrier's local"
        " time is usually +08:00)."
    )
    kind: TrackingEventKind = strawberry.field(  # type: ignore[valid-type]
        description="What the event reports. A pickup, a sorting-centre departure or out for"
        " delivery each start a clock for the next event (the L rules)."
    )
    place: str = strawberry.field(
        default="",
        description="Where, as the carrier writes it (e.g. 义乌分拨中心); at most 200"
        " printable characters; empty when unknown. Stored for agents; no rule reads it.",
    )


@strawberry.input(description="Where an order's parcel goes, as the platform reports it.")
class DestinationInput:
    province: str = strawberry.field(
        description=f"Province, autonomous region or municipality (e.g. 浙江省), 1 to {MAX_TEXT}"
        " printable characters. Exemptions and disruptions are declared per region."
    )
    city: str | None = strawberry.field(
        default=None,
        description=f"City (e.g. 金华市), at most {MAX_TEXT} printable characters. Null: not"
        " reported (only a province-wide exemption then covers the order).",
    )


@strawberry.input(description="An order as the platform reports it.")
class OrderInput:
    order_number: str = strawberry.field(
        description="The platform's order number, unique in the shop: storing an order with a"
        f" number already stored updates it. {_NUMBER_RULE}."
    )
    platform: Platform = strawberry.field(  # type: ignore[valid-type]
        description="The marketplace of the order; it picks the platform policy (PDD or"
        " Kuaishou rules)."
    )
    amount: Decimal = strawberry.field(
        description=f"What the buyer paid, in CNY: more than 0, at most {MAX_AMOUNT}, at most"
        ' 2 decimals, as a string ("59.90"). Refunds and the fake-logistics fine derive from it.'
    )
    status: OrderStatus = strawberry.field(  # type: ignore[valid-type]
        description="The platform's current status of the order."
    )
    confirmed_at: datetime = strawberry.field(
        description="When the buyer paid and the platform confirmed the order; the fast-refund"
        " window (2 h on PDD) counts from here."
    )
    group_formed_at: datetime | None = strawberry.field(
        default=None,
        description="When the group buy formed (成团); the ship window counts from here. Null"
        " while awaiting group, or when the order needed no group (then confirmedAt counts).",
    )
    ship_by: datetime | None = strawberry.field(
        default=None,
        description="The ship-by time the platform promised the buyer. Null: group formed (or"
        " confirmed) plus the ship window of the shop's policy (48 h by default).",
    )
    can_fulfil: bool = strawberry.field(
        default=True,
        description="Whether the shop can still ship it (stock on hand). False makes an urging"
        " buyer's decision a merchant-started refund with a coupon [U4].",
    )
    return_address_complete: bool = strawberry.field(
        default=True,
        description="Whether the shop's return address on the platform is complete (street and"
        " number, not just city). An incomplete one loses a wrong-address appeal [A3].",
    )
    remote_destination: bool = strawberry.field(
        default=False,
        description="Remote or overseas destination: the transit-stagnation limit is 120 h"
        " instead of 48 h.",
    )
    force_majeure_exempt: bool = strawberry.field(
        default=False,
        description="The platform exempts this region and period from logistics metrics (force"
        " majeure): no fine is at risk, the carrier is still chased.",
    )
    destination: DestinationInput | None = strawberry.field(
        default=None,
        description="Where the parcel goes. Null: not reported; declared exemptions then do not"
        " cover the order, nor do disruptions count it among unshipped orders.",
    )


@strawberry.input(description="A parcel: carrier, tracking and what the carrier recorded.")
class ShipmentInput:
    carrier: str | None = strawberry.field(
        default=None,
        description=f"Carrier name as the shop writes it (e.g. 圆通), at most {MAX_TEXT}"
        " printable characters; used in scripts. Null: not known yet.",
    )
    tracking_number: str | None = strawberry.field(
        default=None, description=f"The carrier's tracking number, {_NUMBER_RULE}."
    )
    shipped_offline_at: datetime | None = strawberry.field(
        default=None,
        description="When the parcel was handed to the carrier, even if nothing is online yet."
        " Null: not handed over (or not known).",
    )
    tracking_uploaded_at: datetime | None = strawberry.field(
        default=None,
        description="When the tracking number was uploaded to the platform; the 24 h pickup"
        " limit counts from here. Null: not uploaded.",
    )
    picked_up_at: datetime | None = strawberry.field(
        default=None,
        description="The carrier's pickup scan (揽件). Null: no scan yet; a PICKUP event sets it"
        " when appended later.",
    )
    signer: SignerKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Who signed for the parcel; null when not signed or not told."
    )
    interceptable: bool | None = strawberry.field(
        default=None,
        description="Whether the carrier can still intercept the parcel. Null: derived from the"
        " events (interceptable until OUT_FOR_DELIVERY).",
    )
    outbound_recorded: bool | None = strawberry.field(
        default=None,
        description="Whether the warehouse outbound record (出库记录) shows this parcel's items"
        " leaving. False counts as a shortfall in a missing-item claim; null: not checked.",
    )
    expected_weight_g: int | None = strawberry.field(
        default=None,
        description=f"What the parcel should weigh, in grams (0 to {MAX_WEIGHT_G}). Null: not"
        " known.",
    )
    recorded_weight_g: int | None = strawberry.field(
        default=None,
        description=f"What the carrier weighed at pickup, in grams (0 to {MAX_WEIGHT_G}). Less"
        " than expectedWeightG counts as a shortfall in a missing-item claim.",
    )
    events: list[TrackingEventInput] | None = strawberry.field(
        default=None,
        description=f"Tracking events so far, in any order (at most {MAX_EVENTS}). Null or"
        " empty: none yet.",
    )


@strawberry.input(description="A buyer's refund request as the platform reports it.")
class RefundRequestInput:
    refund_number: str = strawberry.field(
        description=f"The platform's after-sales id, unique in the shop; {_NUMBER_RULE}."
    )
    type: RefundType = strawberry.field(  # type: ignore[valid-type]
        description="Whether the buyer returns the goods for the refund."
    )
    reason: RefundReason = strawberry.field(  # type: ignore[valid-type]
        description="The reason the buyer chose; it picks the rule family."
    )
    requested_at: datetime = strawberry.field(
        description="When the buyer filed it; the respond-by deadline counts from here."
    )
    status: RefundStatus = strawberry.field(  # type: ignore[valid-type]
        default=f.RefundStatus.PENDING,
        description="Where it stands; defaults to PENDING, a request waiting for the merchant.",
    )
    amount: Decimal | None = strawberry.field(
        default=None,
        description="The amount asked, in CNY (more than 0, at most the order amount, 2"
        " decimals). Null: the whole order amount.",
    )
    refunded_at: datetime | None = strawberry.field(
        default=None,
        description="When the money went back to the buyer; required with status REFUNDED."
        " Appeal windows count from here.",
    )
    platform_refund: PlatformRefundKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Why the platform refunded by itself; only with status REFUNDED. Null: the"
        " merchant agreed to it (or it is not refunded).",
    )
    buyer_evidence: list[EvidenceKind] | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="The photos and proofs the buyer sent with the request (e.g. CONTENTS_PHOTO"
        " for a missing item). Null or empty: none.",
    )
    threatens_review: bool = strawberry.field(
        default=False,
        description="The buyer threatens a bad review or a dispute to get cash; the request is"
        " then rejected with the chat as evidence [S8].",
    )
    free_reissues_given: int = strawberry.field(
        default=0,
        description="How many free reissues this order already had (0 to 100). While below the"
        " policy's allowance (1), a missing-item claim with a photo is reissued [S6].",
    )
    return_tracking_number: str | None = strawberry.field(
        default=None,
        description=f"Tracking number of the buyer's return parcel, {_NUMBER_RULE}. Null: no"
        " return sent.",
    )
    return_to_wrong_address: bool = strawberry.field(
        default=False,
        description="The buyer's return went to an address other than the shop's return"
        " address [A3].",
    )


@strawberry.input(description="Every fact of one case, inline; nothing is stored.")
class CaseInput:
    order: OrderInput = strawberry.field(description="The order the case is about.")
    shipment: ShipmentInput | None = strawberry.field(
        default=None, description="Its latest parcel; null: nothing shipped yet."
    )
    refund_request: RefundRequestInput | None = strawberry.field(
        default=None,
        description="The refund request to answer; null when the case is an inquiry or the"
        " order alone.",
    )
    inquiry: Inquiry | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="The buyer's message to answer (urge shipment, where is it, door"
        " delivery). When set, it outranks a pending refund request: the buyer's latest word.",
    )
    merchant_evidence: list[EvidenceKind] | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Evidence the shop already holds (outbound and weighing records, signature"
        " proof, chat); the decision marks it present. Null or empty: none.",
    )


# -- validation -------------------------------------------------------------------


# A fact that has happened cannot lie after the server's now; this much slack absorbs
# the difference between the caller's clock and ours.
CLOCK_SKEW = timedelta(minutes=10)


class Problems:
    """Collects every problem of an input before anything is written.

    ``now`` is given where the input reports facts that have happened (ingest); a
    stateless ``recommend`` may describe any moment and passes none."""

    def __init__(self, now: datetime | None = None) -> None:
        self.errors: list[UserError] = []
        self.latest = now + CLOCK_SKEW if now is not None else None

    def add(
        self, path: list[str], message: str, code: UserErrorCode = UserErrorCode.INVALID
    ) -> None:
        self.errors.append(UserError(field=path, code=code, message=message))

    def happened(self, path: list[str], value: datetime | None) -> None:
        """Refuse a time of something that has happened when it lies in the future."""
        if value is not None and self.latest is not None and value > self.latest:
            self.add(
                path,
                f"lies in the future (after {self.latest.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ});"
                " a fact that has happened cannot",
            )

    def raise_if_any(self) -> None:
        if self.errors:
            raise UserInputError(self.errors)


def check_number(problems: Problems, path: list[str], value: str | None) -> None:
    if value is not None and not _NUMBER.match(value):
        problems.add(path, f"must be {_NUMBER_RULE}")


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
    problems.happened([*path, "confirmedAt"], order.confirmed_at)
    problems.happened([*path, "groupFormedAt"], order.group_formed_at)
    if order.destination is not None:
        check_place(problems, [*path, "destination", "province"], order.destination.province)
        if order.destination.city is not None:
            check_place(problems, [*path, "destination", "city"], order.destination.city)


def check_place(problems: Problems, path: list[str], value: str) -> None:
    """A province or city name: not blank, at most MAX_TEXT printable characters."""
    if not value.strip():
        problems.add(path, "must not be blank")
    else:
        check_text(problems, path, value)


# (attribute, field name on the wire), named once rather than on every check.
_SHIPMENT_WEIGHTS = tuple((n, camel(n)) for n in ("expected_weight_g", "recorded_weight_g"))
_SHIPMENT_TIMES = tuple(
    (n, camel(n)) for n in ("shipped_offline_at", "tracking_uploaded_at", "picked_up_at")
)


def check_shipment(problems: Problems, path: list[str], s: ShipmentInput) -> None:
    check_text(problems, [*path, "carrier"], s.carrier)
    check_number(problems, [*path, "trackingNumber"], s.tracking_number)
    for name, field in _SHIPMENT_WEIGHTS:
        value = getattr(s, name)
        if value is not None and not 0 <= value <= MAX_WEIGHT_G:
            problems.add([*path, field], f"must be between 0 and {MAX_WEIGHT_G} grams")
    for name, field in _SHIPMENT_TIMES:
        problems.happened([*path, field], getattr(s, name))
    check_events(problems, [*path, "events"], s.events or [])


def check_events(problems: Problems, path: list[str], events: list[TrackingEventInput]) -> None:
    if len(events) > MAX_EVENTS:
        problems.add(path, f"at most {MAX_EVENTS} events per call", UserErrorCode.TOO_MANY)
    for i, event in enumerate(events):
        check_text(problems, [*path, str(i), "place"], event.place, 200)
        problems.happened([*path, str(i), "at"], event.at)


def check_refund(problems: Problems, path: list[str], r: RefundRequestInput) -> None:
    check_number(problems, [*path, "refundNumber"], r.refund_number)
    check_money(problems, [*path, "amount"], r.amount)
    check_number(problems, [*path, "returnTrackingNumber"], r.return_tracking_number)
    if not 0 <= r.free_reissues_given <= 100:
        problems.add([*path, "freeReissuesGiven"], "must be between 0 and 100")
    problems.happened([*path, "requestedAt"], r.requested_at)
    problems.happened([*path, "refundedAt"], r.refunded_at)


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
        destination_province=o.destination.province.strip() if o.destination else None,
        destination_city=(
            o.destination.city.strip() if o.destination and o.destination.city else None
        ),
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
