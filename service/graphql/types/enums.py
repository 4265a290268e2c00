"""The decision module's enums, exposed under the same names and values."""

from __future__ import annotations

from enum import Enum

import strawberry

from service.db.models.evidence import EvidenceSource as _EvidenceSource
from service.decision import facts as f
from service.decision import outcome as o

Platform = strawberry.enum(f.Platform, description="The marketplace a shop sells on.")
OrderStatus = strawberry.enum(
    f.OrderStatus,
    description="AWAITING_GROUP 待成团, AWAITING_SHIPMENT 待发货, then SHIPPED, SIGNED,"
    " COMPLETED, or CANCELLED.",
)
SignerKind = strawberry.enum(f.SignerKind, description="Who signed for the parcel (PROXY 代签).")
TrackingEventKind = strawberry.enum(
    f.TrackingEventKind, description="What a carrier tracking event reports."
)
RefundType = strawberry.enum(
    f.RefundType, description="REFUND_ONLY 仅退款 or RETURN_AND_REFUND 退货退款."
)
RefundReason = strawberry.enum(f.RefundReason, description="Why the buyer asks for a refund.")
RefundStatus = strawberry.enum(f.RefundStatus, description="Where the refund request stands.")
PlatformRefundKind = strawberry.enum(
    f.PlatformRefundKind,
    description="Why the platform refunded by itself: FAST_REFUND 极速退款, or TIMEOUT_REFUND"
    " when the merchant did not answer in time.",
)
Inquiry = strawberry.enum(
    f.Inquiry, description="A buyer message that is not a refund request: 催发货, where is it..."
)
EvidenceKind = strawberry.enum(f.EvidenceKind, description="A kind of photo, record or proof.")
EvidenceSource = strawberry.enum(_EvidenceSource, description="Who provided a piece of evidence.")
Action = strawberry.enum(o.Action, description="The move the service recommends (RULEBOOK §4).")
DeadlineKind = strawberry.enum(o.DeadlineKind, description="What a deadline is for.")
RiskKind = strawberry.enum(o.RiskKind, description="What money is at risk.")
SignalKind = strawberry.enum(
    o.SignalKind, description="A proactive step to take before the buyer asks (000 §1)."
)


@strawberry.enum(description="Language of a ready-to-send script.")
class Locale(Enum):
    ZH_CN = "zh-CN"
    EN = "en"
