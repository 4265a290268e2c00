"""Telling a duplicate key from other integrity errors, on each backend."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.errors import is_unique_violation
from service.db.models import Order, Shop
from service.decision.facts import OrderStatus, Platform
from tests.conftest import make_shop
from tests.factories import NOW


async def test_a_duplicate_key_is_a_unique_violation(session: AsyncSession) -> None:
    await make_shop(session, "twin")
    session.add(Shop(slug="twin", name="TWIN", platform=Platform.PDD))
    with pytest.raises(IntegrityError) as caught:
        await session.flush()
    assert is_unique_violation(caught.value)


async def test_a_missing_parent_is_not_a_unique_violation(session: AsyncSession) -> None:
    session.add(
        Order(
            shop_id=999_999,
            order_number="PO-1",
            platform=Platform.PDD,
            amount=Decimal("1.00"),
            status=OrderStatus.AWAITING_SHIPMENT,
            confirmed_at=NOW,
        )
    )
    with pytest.raises(IntegrityError) as caught:
        await session.flush()
    assert not is_unique_violation(caught.value)
