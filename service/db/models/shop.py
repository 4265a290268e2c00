from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, RecordMixin
from service.db.types import EnumText, Money
from service.decision.facts import Platform


class Shop(RecordMixin, Base):
    """A merchant's shop on one platform: the tenant every other row belongs to."""

    __tablename__ = "shops"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[Platform] = mapped_column(EnumText(Platform))
    # Per-shop policy overrides (RULEBOOK §3); NULL means the platform default.
    coupon_amount: Mapped[Decimal | None] = mapped_column("coupon_amount_cents", Money())
    ship_window_hours: Mapped[int | None]
    respond_by_hours: Mapped[int | None]
    # Hours before each deadline kind that its warning event comes; NULL: the default
    # (service.decision.policy.WARNING_WINDOWS).
    respond_by_warning_hours: Mapped[int | None]
    ship_by_warning_hours: Mapped[int | None]
    pickup_by_warning_hours: Mapped[int | None]
    appeal_closes_warning_hours: Mapped[int | None]
    # [[code, Chinese name], ...] merged over CARRIER_NAMES_ZH; NULL: none added.
    carrier_names: Mapped[list[list[str]] | None] = mapped_column(JSON)
    # Bumped by every change of the overrides: replicas that cached the policy (see
    # service.store.policy_cache) compare it to know whether to rebuild.
    policy_version: Mapped[int] = mapped_column(default=0, server_default="0")
