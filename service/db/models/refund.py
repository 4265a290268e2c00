from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import BigId, EnumText, Money, UTCDateTime
from service.decision.facts import PlatformRefundKind, RefundReason, RefundStatus, RefundType


class RefundRequest(ShopOwnedMixin, Base):
    __tablename__ = "refund_requests"
    __table_args__ = (
        ForeignKeyConstraint(
            ["order_id", "shop_id"], ["orders.id", "orders.shop_id"], ondelete="CASCADE"
        ),
        UniqueConstraint("shop_id", "refund_number"),
        # The refund list's keyset order, per shop (also when joined to case states).
        Index("ix_refund_requests_shop_requested", "shop_id", "requested_at", "id"),
        # The same order within one status: a dashboard's "pending, newest first" page
        # walks it and stops after the page, instead of joining every pending refund
        # of the shop with its state and sorting them.
        Index(
            "ix_refund_requests_shop_status_requested", "shop_id", "status", "requested_at", "id"
        ),
    )

    order_id: Mapped[int] = mapped_column(BigId, index=True)
    refund_number: Mapped[str] = mapped_column(String(64))  # the platform's after-sales id
    type: Mapped[RefundType] = mapped_column(EnumText(RefundType))
    reason: Mapped[RefundReason] = mapped_column(EnumText(RefundReason))
    status: Mapped[RefundStatus] = mapped_column(EnumText(RefundStatus), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    amount: Mapped[Decimal | None] = mapped_column("amount_cents", Money())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    platform_refund: Mapped[PlatformRefundKind | None] = mapped_column(EnumText(PlatformRefundKind))
    threatens_review: Mapped[bool] = mapped_column(default=False)
    free_reissues_given: Mapped[int] = mapped_column(default=0)
    return_tracking_number: Mapped[str | None] = mapped_column(String(64))
    return_to_wrong_address: Mapped[bool] = mapped_column(default=False)
