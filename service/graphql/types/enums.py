"""The decision module's enums, exposed under the same names and values, each value
described (the texts are in :mod:`service.graphql.types.enum_docs`)."""

from __future__ import annotations

from enum import Enum

from service.db.models.evidence import EvidenceSource as _EvidenceSource
from service.decision import facts as f
from service.decision import outcome as o
from service.graphql.described import described_enum
from service.graphql.types import enum_docs as docs

Platform = described_enum(f.Platform, "The marketplace a shop sells on.", docs.PLATFORM)
OrderStatus = described_enum(
    f.OrderStatus, "Where an order stands on the platform.", docs.ORDER_STATUS
)
SignerKind = described_enum(f.SignerKind, "Who signed for the parcel.", docs.SIGNER_KIND)
TrackingEventKind = described_enum(
    f.TrackingEventKind, "What a carrier tracking event reports.", docs.TRACKING_EVENT_KIND
)
RefundType = described_enum(
    f.RefundType, "Whether the buyer returns the goods for the refund.", docs.REFUND_TYPE
)
RefundReason = described_enum(
    f.RefundReason, "Why the buyer asks for a refund.", docs.REFUND_REASON
)
RefundStatus = described_enum(
    f.RefundStatus, "Where the refund request stands.", docs.REFUND_STATUS
)
PlatformRefundKind = described_enum(
    f.PlatformRefundKind,
    "Why the platform refunded by itself, without the merchant's consent.",
    docs.PLATFORM_REFUND_KIND,
)
Inquiry = described_enum(
    f.Inquiry, "A buyer message that is not (yet) a refund request.", docs.INQUIRY
)
EvidenceKind = described_enum(
    f.EvidenceKind, "A kind of photo, record or proof.", docs.EVIDENCE_KIND
)
EvidenceSource = described_enum(
    _EvidenceSource, "Who provided a piece of evidence.", docs.EVIDENCE_SOURCE
)
Action = described_enum(o.Action, "The move the service recommends (RULEBOOK §4).", docs.ACTION)
DeadlineKind = described_enum(o.DeadlineKind, "What a deadline is for.", docs.DEADLINE_KIND)
RiskKind = described_enum(o.RiskKind, "What money is at risk.", docs.RISK_KIND)
SignalKind = described_enum(
    o.SignalKind, "A proactive step to take before the buyer asks (000 §1).", docs.SIGNAL_KIND
)


class Locale(Enum):
    ZH_CN = "zh-CN"
    EN = "en"


described_enum(
    Locale,
    "Language of a ready-to-send script.",
    {"ZH_CN": "Simplified Chinese (the default).", "EN": "English."},
)
