from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import BigId, EnumText, UTCDateTime
from service.decision.facts import SignerKind, TrackingEventKind


class Shipment(ShopOwnedMixin, Base):
    """A parcel sent for an order; the latest one is the one the rules read."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("id", "shop_id"),
        ForeignKeyConstraint(
            ["order_id", "shop_id"], ["orders.id", "orders.shop_id"], ondelete="CASCADE"
        ),
    )

    order_id: Mapped[int] = mapped_column(BigId, index=True)
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(64), index=True)
    shipped_offline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tracking_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signer: Mapped[SignerKind | None] = mapped_column(EnumText(SignerKind))
    interceptable: Mapped[bool | None]
    outbound_recorded: Mapped[bool | None]
    expected_weight_g: Mapped[int | None]
    recorded_weight_g: Mapped[int | None]


class TrackingEvent(ShopOwnedMixin, Base):
    __tablename__ = "tracking_events"
    # Carriers resend events; the same (time, kind) on a parcel is the same event.
    __table_args__ = (
        UniqueConstraint("shipment_id", "at", "kind"),
        ForeignKeyConstraint(
            ["shipment_id", "shop_id"], ["shipments.id", "shipments.shop_id"], ondelete="CASCADE"
        ),
    )

    shipment_id: Mapped[int] = mapped_column(BigId, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[TrackingEventKind] = mapped_column(EnumText(TrackingEventKind))
    place: Mapped[str] = mapped_column(String(200), default="")
