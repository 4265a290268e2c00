from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import BigId, EnumText
from service.decision.outcome import Action


class ActionRecord(ShopOwnedMixin, Base):
    """What an agent did with a recommendation: the audit trail, and the data that
    tells which recommendations agents override."""

    __tablename__ = "action_records"
    __table_args__ = (
        ForeignKeyConstraint(
            ["order_id", "shop_id"], ["orders.id", "orders.shop_id"], ondelete="CASCADE"
        ),
    )

    order_id: Mapped[int] = mapped_column(BigId, index=True)
    refund_request_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("refund_requests.id", ondelete="CASCADE"), index=True
    )
    recommended_action: Mapped[Action] = mapped_column(EnumText(Action))
    rule_id: Mapped[str] = mapped_column(String(32))
    policy_id: Mapped[str] = mapped_column(String(32))
    policy_version: Mapped[str] = mapped_column(String(64))
    taken_action: Mapped[Action] = mapped_column(EnumText(Action))
    overridden: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")
    actor_token_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    decision_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The agent whose token recorded it; NULL for shop-level tokens.
    actor_agent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("agents.id", ondelete="SET NULL")
    )
