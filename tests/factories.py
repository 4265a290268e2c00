"""Plain factory functions with keyword defaults for arranging stored cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Order, RefundRequest, Shipment, Shop, TrackingEvent
from service.decision.facts import (
    OrderStatus,
    RefundReason,
    RefundStatus,
    RefundType,
    TrackingEventKind,
)

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


async def make_order(
    session: AsyncSession,
    shop: Shop,
    number: str = "O-1",
    *,
    status: OrderStatus = OrderStatus.AWAITING_SHIPMENT,
    confirmed_at: datetime = NOW - timedelta(hours=10),
    amount: str = "59.90",
    can_fulfil: bool = True,
) -> Order:
    order = Order(
        shop_id=shop.id,
        order_number=number,
        platform=shop.platform,
        amount=Decimal(amount),
        status=status,
        confirmed_at=confirmed_at,
        group_formed_at=confirmed_at,
        can_fulfil=can_fulfil,
    )
    session.add(order)
    await session.flush()
    return order


async def make_shipment(
    session: AsyncSession,
    order: Order,
    *,
    uploaded_at: datetime | None = None,
    picked_up_at: datetime | None = None,
    events: tuple[tuple[datetime, TrackingEventKind], ...] = (),
    tracking_number: str | None = "ZT0001",
) -> Shipment:
    shipment = Shipment(
        shop_id=order.shop_id,
        order_id=order.id,
        carrier="ZTO",
        tracking_number=tracking_number,
        shipped_offline_at=uploaded_at,
        tracking_uploaded_at=uploaded_at,
        picked_up_at=picked_up_at,
    )
    session.add(shipment)
    await session.flush()
    for at, kind in events:
        session.add(
            TrackingEvent(
                shop_id=order.shop_id, shipment_id=shipment.id, at=at, kind=kind, place=""
            )
        )
    await session.flush()
    return shipment


async def make_refund(
    session: AsyncSession,
    order: Order,
    number: str = "RF-1",
    *,
    reason: RefundReason = RefundReason.NOT_SHIPPED,
    type: RefundType = RefundType.REFUND_ONLY,
    status: RefundStatus = RefundStatus.PENDING,
    requested_at: datetime = NOW - timedelta(hours=2),
) -> RefundRequest:
    refund = RefundRequest(
        shop_id=order.shop_id,
        order_id=order.id,
        refund_number=number,
        type=type,
        reason=reason,
        status=status,
        requested_at=requested_at,
    )
    session.add(refund)
    await session.flush()
    return refund
