"""Named agents of a shop, and the cases they hold (claims)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.models.token import Role
from service.db.types import BigId, EnumText, UTCDateTime


class Agent(ShopOwnedMixin, Base):
    """A person on the shop's CS team (a 子账号); their tokens identify them."""

    __tablename__ = "agents"

    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(EnumText(Role))
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseClaim(ShopOwnedMixin, Base):
    """Who works a case until ``expires_at``; at most one row per case.

    The row outlives its lease: an expired row counts as no claim, and the next claim
    overwrites it in the same statement that checks the expiry (see service.team.claims).
    """

    __tablename__ = "case_claims"
    # Same key as case_states: a kind and the order's or refund request's id.
    __table_args__ = (UniqueConstraint("kind", "entity_id"),)

    kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(BigId)
    agent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
