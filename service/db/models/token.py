from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import BigId, EnumText, UTCDateTime


class Role(StrEnum):
    AGENT = "agent"  # reads, records actions
    INTEGRATION = "integration"  # ingests orders, shipments, refunds
    ADMIN = "admin"  # both, plus shop policy overrides


class ApiToken(ShopOwnedMixin, Base):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(EnumText(Role))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings to tell tokens apart
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The agent the token identifies; NULL for shop-level (integration) tokens.
    agent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
