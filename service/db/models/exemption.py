"""Force-majeure exemptions the platform granted a shop (004 §4, 免考核)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import UTCDateTime


class Exemption(ShopOwnedMixin, Base):
    """Logistics penalties waived for one carrier's parcels bound for a region during a
    period: a province, or one city of it. Revoking keeps the row (``revoked_at``) so
    decisions already shown can still be traced to it."""

    __tablename__ = "exemptions"
    __table_args__ = (Index("ix_exemptions_shop_carrier", "shop_id", "carrier"),)

    carrier: Mapped[str] = mapped_column(String(64))
    province: Mapped[str] = mapped_column(String(64))
    # NULL: the whole province.
    city: Mapped[str | None] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The platform's notice or ticket, as the admin quotes it.
    reference: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
