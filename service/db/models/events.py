"""The outbox of case events, the shops' webhook endpoints and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import BigId, UTCDateTime


class CaseEvent(Base):
    """One event, written in the transaction of the change that caused it.

    ``dedup_key`` is unique: recomputing a state twice (two replicas, a retried
    transaction) never writes the same event twice."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_shop_id_id", "shop_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    shop_id: Mapped[int] = mapped_column(BigId, ForeignKey("shops.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    # "ORDER:12" or "REFUND_REQUEST:7": deliveries of one case go out in order.
    case_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookEndpoint(ShopOwnedMixin, Base):
    """A shop's receiver: where its events are POSTed, signed with ``secret``."""

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(100))
    # Event types delivered; an empty list means every type.
    event_types: Mapped[list[str]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)


class WebhookDelivery(Base):
    """One event to one endpoint: its status and its last attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        # The worker's claim: due deliveries, and the head of each case's line.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_line", "endpoint_id", "case_key", "status", "id"),
        # The delivery log's pages: a shop's deliveries, newest first.
        Index("ix_webhook_deliveries_shop_id_id", "shop_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("case_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    case_key: Mapped[str] = mapped_column(String(64))
    # PENDING (due at next_attempt_at), DELIVERED, FAILED (given up or endpoint gone).
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_latency_ms: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
