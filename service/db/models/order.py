from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, ShopOwnedMixin
from service.db.types import BigId, EnumText, Money, UTCDateTime
from service.decision.facts import OrderStatus, Platform


class Order(ShopOwnedMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("id", "shop_id"),
        UniqueConstraint("shop_id", "order_number"),
        # The orders list's keyset order, per shop (also when joined to case states).
        Index("ix_orders_shop_confirmed", "shop_id", "confirmed_at", "id"),
        # The order list filtered by status (e.g. awaiting shipment), newest first.
        Index("ix_orders_shop_status_confirmed", "shop_id", "status", "confirmed_at", "id"),
    )

    order_number: Mapped[str] = mapped_column(String(64))  # the platform's order number
    platform: Mapped[Platform] = mapped_column(EnumText(Platform))
    amount: Mapped[Decimal] = mapped_column("amount_cents", Money())
    status: Mapped[OrderStatus] = mapped_column(EnumText(OrderStatus), index=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    group_formed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    can_fulfil: Mapped[bool] = mapped_column(default=True)
    return_address_complete: Mapped[bool] = mapped_column(default=True)
    remote_destination: Mapped[bool] = mapped_column(default=False)
    force_majeure_exempt: Mapped[bool] = mapped_column(default=False)
    # Where the parcel goes (004: exemptions and disruptions are per region); both NULL
    # when the platform did not report it.
    destination_province: Mapped[str | None] = mapped_column(String(64))
    destination_city: Mapped[str | None] = mapped_column(String(64))


class OrderLine(ShopOwnedMixin, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        ForeignKeyConstraint(
            ["order_id", "shop_id"], ["orders.id", "orders.shop_id"], ondelete="CASCADE"
        ),
    )

    order_id: Mapped[int] = mapped_column(BigId)
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column("unit_price_cents", Money())
    expected_weight_g: Mapped[int | None]
