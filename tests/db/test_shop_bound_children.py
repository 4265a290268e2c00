"""The database ties a child row's shop to its parent's (composite foreign keys)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import (
    EvidenceItem,
    RefundRequest,
    Shipment,
    TrackingEvent,
)
from service.db.models.evidence import EvidenceSource
from service.decision.facts import (
    EvidenceKind,
    RefundReason,
    RefundStatus,
    RefundType,
    TrackingEventKind,
)
from tests.conftest import make_shop
from tests.factories import make_order, make_shipment
from tests.graphql.helpers import count_rows

AT = datetime(2026, 11, 20, 4, tzinfo=UTC)


async def _refused(session: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """Whether inserting ``values`` into ``model``'s table breaks a constraint (the
    savepoint keeps the test's session usable)."""
    try:
        async with session.begin_nested():
            await session.execute(insert(model).values(**values))
    except IntegrityError:
        return True
    return False


async def test_a_child_row_must_carry_its_parents_shop(session: AsyncSession) -> None:
    # given an order and a parcel of shop A, and another shop B
    a, b = await make_shop(session, "shop-a"), await make_shop(session, "shop-b")
    order = await make_order(session, a)
    parcel = await make_shipment(session, order)
    now = {"created_at": AT, "updated_at": AT}
    refund = {
        "refund_number": "RF-9",
        "type": RefundType.REFUND_ONLY,
        "reason": RefundReason.QUALITY,
        "status": RefundStatus.PENDING,
        "amount": Decimal("1.00"),
        "requested_at": AT,
        **now,
    }
    evidence = {
        "kind": EvidenceKind.CONTENTS_PHOTO,
        "source": EvidenceSource.MERCHANT,
        "reference": "r",
        "captured_at": AT,
        **now,
    }
    event = {"at": AT, "kind": TrackingEventKind.PICKUP, "place": "", **now}
    # when rows of shop B point at shop A's order or parcel, and then rows of shop A do
    wrong_shop = [
        await _refused(session, Shipment, {"shop_id": b.id, "order_id": order.id, **now}),
        await _refused(session, RefundRequest, {"shop_id": b.id, "order_id": order.id, **refund}),
        await _refused(session, EvidenceItem, {"shop_id": b.id, "order_id": order.id, **evidence}),
        await _refused(
            session, TrackingEvent, {"shop_id": b.id, "shipment_id": parcel.id, **event}
        ),
    ]
    same_shop = [
        await _refused(session, Shipment, {"shop_id": a.id, "order_id": order.id, **now}),
        await _refused(session, RefundRequest, {"shop_id": a.id, "order_id": order.id, **refund}),
        await _refused(session, EvidenceItem, {"shop_id": a.id, "order_id": order.id, **evidence}),
        await _refused(
            session, TrackingEvent, {"shop_id": a.id, "shipment_id": parcel.id, **event}
        ),
    ]
    # then the database refuses every cross-shop row and takes the same-shop ones
    assert wrong_shop == [True, True, True, True]
    assert same_shop == [False, False, False, False]


async def test_deleting_an_order_still_cascades(session: AsyncSession) -> None:
    # given an order of a shop with a parcel and an event
    shop = await make_shop(session)
    order = await make_order(session, shop)
    await make_shipment(session, order, events=((AT, TrackingEventKind.PICKUP),))
    # when the order is deleted
    await session.delete(order)
    await session.flush()
    # then its parcel and event went with it
    assert (await count_rows(session, Shipment), await count_rows(session, TrackingEvent)) == (0, 0)
