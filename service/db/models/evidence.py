from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import BigId, EnumText, UTCDateTime
from service.decision.facts import EvidenceKind


class EvidenceSource(StrEnum):
    BUYER = "BUYER"
    MERCHANT = "MERCHANT"


class EvidenceItem(ShopOwnedMixin, Base):
    """A photo, record or proof attached to an order or one of its refund requests."""

    __tablename__ = "evidence_items"
    __table_args__ = (
        ForeignKeyConstraint(
            ["order_id", "shop_id"], ["orders.id", "orders.shop_id"], ondelete="CASCADE"
        ),
    )

    order_id: Mapped[int] = mapped_column(BigId, index=True)
    refund_request_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("refund_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EvidenceKind] = mapped_column(EnumText(EvidenceKind))
    source: Mapped[EvidenceSource] = mapped_column(EnumText(EvidenceSource))
    reference: Mapped[str] = mapped_column(String(500))  # URL or id in the merchant's store
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
