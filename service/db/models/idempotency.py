from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import UTCDateTime


class IdempotencyKey(ShopOwnedMixin, Base):
    """The stored answer to one ``Idempotency-Key`` of one shop.

    Written in the same transaction as the request's effect, so a key exists exactly
    when its effect does; a retry with the key replays ``body`` instead of running again.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("shop_id", "key"),)

    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the canonical request (query, operationName, variables).
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
