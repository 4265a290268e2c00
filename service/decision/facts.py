"""The facts the rules read (RULEBOOK §2).

Plain frozen dataclasses: the database layer and the GraphQL inline inputs both
translate into these, and nothing here knows about either of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from service.decision.fastinit import fast_init


class Platform(StrEnum):
    PDD = "PDD"
    KUAISHOU = "KUAISHOU"


class OrderStatus(StrEnum):
    AWAITING_GROUP = "AWAITING_GROUP"  # 待成团
    AWAITING_SHIPMENT = "AWAITING_SHIPMENT"  # 待发货
    SHIPPED = "SHIPPED"
    SIGNED = "SIGNED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class SignerKind(StrEnum):
    BUYER = "BUYER"
    PROXY = "PROXY"  # 代签
    LOCKER = "LOCKER"
    UNKNOWN = "UNKNOWN"


class TrackingEventKind(StrEnum):
    PICKUP = "PICKUP"  # 揽件
    SORTING_ARRIVAL = "SORTING_ARRIVAL"
    SORTING_DEPARTURE = "SORTING_DEPARTURE"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    SIGNED = "SIGNED"
    REJECTED = "REJECTED"
    RETURNED = "RETURNED"
    EXCEPTION = "EXCEPTION"


class RefundType(StrEnum):
    REFUND_ONLY = "REFUND_ONLY"  # 仅退款
    RETURN_AND_REFUND = "RETURN_AND_REFUND"  # 退货退款


class RefundReason(StrEnum):
    NOT_SHIPPED = "NOT_SHIPPED"
    NO_LONGER_WANTED = "NO_LONGER_WANTED"
    NO_REASON = "NO_REASON"
    NOT_RECEIVED = "NOT_RECEIVED"
    QUALITY = "QUALITY"
    DAMAGED_IN_TRANSIT = "DAMAGED_IN_TRANSIT"
    DAMAGED_FOUND_LATER = "DAMAGED_FOUND_LATER"
    MISSING_ITEM = "MISSING_ITEM"  # 漏发少件
    WRONG_ITEM = "WRONG_ITEM"  # 发错货
    LOGISTICS_STAGNANT = "LOGISTICS_STAGNANT"
    NOT_DELIVERED_TO_DOOR = "NOT_DELIVERED_TO_DOOR"


class RefundStatus(StrEnum):
    PENDING = "PENDING"
    AGREED = "AGREED"
    REJECTED = "REJECTED"
    REFUNDED = "REFUNDED"
    CANCELLED = "CANCELLED"


class PlatformRefundKind(StrEnum):
    """Why the platform refunded by itself, without the merchant's consent."""

    FAST_REFUND = "FAST_REFUND"  # 极速退款
    TIMEOUT_REFUND = "TIMEOUT_REFUND"  # merchant did not answer in time


class Inquiry(StrEnum):
    """A buyer message that is not (yet) a refund request."""

    URGE_SHIPMENT = "URGE_SHIPMENT"  # 催发货
    WHERE_IS_PARCEL = "WHERE_IS_PARCEL"
    DOOR_DELIVERY = "DOOR_DELIVERY"  # courier will not deliver to the door


class EvidenceKind(StrEnum):
    OUTER_PACKAGE_PHOTO = "OUTER_PACKAGE_PHOTO"
    CONTENTS_PHOTO = "CONTENTS_PHOTO"
    DAMAGE_PHOTO = "DAMAGE_PHOTO"
    SIGNATURE_PROOF = "SIGNATURE_PROOF"
    OUTBOUND_RECORD = "OUTBOUND_RECORD"
    WEIGHING_RECORD = "WEIGHING_RECORD"
    CHAT_RECORD = "CHAT_RECORD"
    RETURN_ADDRESS_RECORD = "RETURN_ADDRESS_RECORD"
    CARRIER_CONFIRMATION = "CARRIER_CONFIRMATION"


@fast_init
@dataclass(frozen=True, slots=True)
class TrackingEvent:
    at: datetime
    kind: TrackingEventKind
    place: str = ""


@fast_init
@dataclass(frozen=True, slots=True)
class OrderFacts:
    order_number: str
    platform: Platform
    amount: Decimal
    status: OrderStatus
    confirmed_at: datetime
    group_formed_at: datetime | None = None
    # None: derived from group_formed_at (or confirmed_at) plus the policy's ship window.
    ship_by: datetime | None = None
    can_fulfil: bool = True
    return_address_complete: bool = True
    # Remote / overseas destinations get the long transit-stagnation limit (002: 48-120 h).
    remote_destination: bool = False
    # A platform force-majeure exemption for this region and period (004 §4).
    force_majeure_exempt: bool = False
    # Where the parcel goes; exemptions (and disruptions) are declared per region.
    destination_province: str | None = None
    destination_city: str | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class ShipmentFacts:
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_offline_at: datetime | None = None
    tracking_uploaded_at: datetime | None = None
    picked_up_at: datetime | None = None
    events: tuple[TrackingEvent, ...] = ()
    signer: SignerKind | None = None
    # None: derived from the events (interceptable until out for delivery).
    interceptable: bool | None = None
    outbound_recorded: bool | None = None
    expected_weight_g: int | None = None
    recorded_weight_g: int | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class RefundFacts:
    refund_number: str
    order_number: str
    type: RefundType
    reason: RefundReason
    status: RefundStatus
    requested_at: datetime
    amount: Decimal | None = None  # None: the whole order amount
    refunded_at: datetime | None = None
    platform_refund: PlatformRefundKind | None = None
    buyer_evidence: frozenset[EvidenceKind] = frozenset()
    threatens_review: bool = False
    free_reissues_given: int = 0
    return_tracking_number: str | None = None
    return_to_wrong_address: bool = False


@fast_init
@dataclass(frozen=True, slots=True)
class ExemptionFacts:
    """A force-majeure exemption the platform granted (004 §4, 免考核): logistics
    penalties waived for one carrier's parcels bound for a province (or one city of it)
    during ``[starts_at, ends_at)``. ``number`` cites it in the rationale."""

    number: int
    carrier: str
    province: str
    city: str | None
    starts_at: datetime
    ends_at: datetime


@fast_init
@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Everything known about one after-sales case."""

    order: OrderFacts
    shipment: ShipmentFacts | None = None
    refund: RefundFacts | None = None
    inquiry: Inquiry | None = None
    # Evidence the merchant already holds (records, signature proof, chat...).
    merchant_evidence: frozenset[EvidenceKind] = frozenset()
    # The exemption covering this case's parcel (see service.decision.exemptions), if any.
    exemption: ExemptionFacts | None = None
