"""Batched reads, always scoped to one shop. The DataLoaders call these with the ids
a whole page needs, so a page costs the same number of statements at any size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.lists import dialect_of, ids_in, where_text_in
from service.db.models import EvidenceItem, Order, RefundRequest, Shipment, TrackingEvent

T = TypeVar("T")

# Stays well under SQLite's bound-parameter limit and keeps PostgreSQL plans simple.
CHUNK = 500


async def _chunked(session: AsyncSession, ids: Sequence[int], build: Any) -> list[Any]:
    rows: list[Any] = []
    dialect = dialect_of(session)
    for start in range(0, len(ids), CHUNK):
        stmt: Select[Any] = build(ids[start : start + CHUNK], dialect)
        rows.extend((await session.execute(stmt)).scalars().all())
    return rows


async def by_ids(
    session: AsyncSession, model: type[T], shop_id: int, ids: Sequence[int]
) -> dict[int, T]:
    rows = await _chunked(
        session,
        ids,
        lambda chunk, dialect: select(model).where(
            model.shop_id == shop_id,  # type: ignore[attr-defined]
            ids_in(model.id, chunk, dialect),  # type: ignore[attr-defined]
        ),
    )
    return {row.id: row for row in rows}


async def grouped(
    session: AsyncSession, model: type[T], column: str, shop_id: int, ids: Sequence[int]
) -> dict[int, list[T]]:
    """Rows of ``model`` whose ``column`` is one of ``ids``, grouped by it, by id."""
    col = getattr(model, column)
    rows = await _chunked(
        session,
        ids,
        lambda chunk, dialect: (
            select(model)
            .where(model.shop_id == shop_id, ids_in(col, chunk, dialect))  # type: ignore[attr-defined]
            .order_by(model.id)  # type: ignore[attr-defined]
        ),
    )
    out: dict[int, list[T]] = defaultdict(list)
    for row in rows:
        out[getattr(row, column)].append(row)
    return out


async def shipments_by_order(
    session: AsyncSession, shop_id: int, order_ids: Sequence[int]
) -> dict[int, list[Shipment]]:
    return await grouped(session, Shipment, "order_id", shop_id, order_ids)


async def events_by_shipment(
    session: AsyncSession, shop_id: int, shipment_ids: Sequence[int]
) -> dict[int, list[TrackingEvent]]:
    return await grouped(session, TrackingEvent, "shipment_id", shop_id, shipment_ids)


async def evidence_by_order(
    session: AsyncSession, shop_id: int, order_ids: Sequence[int]
) -> dict[int, list[EvidenceItem]]:
    return await grouped(session, EvidenceItem, "order_id", shop_id, order_ids)


async def refunds_by_order(
    session: AsyncSession, shop_id: int, order_ids: Sequence[int]
) -> dict[int, list[RefundRequest]]:
    return await grouped(session, RefundRequest, "order_id", shop_id, order_ids)


async def orders_by_number(
    session: AsyncSession, shop_id: int, numbers: Iterable[str]
) -> dict[str, Order]:
    wanted = sorted(set(numbers))
    rows: list[Order] = []
    dialect = dialect_of(session)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        stmt = where_text_in(
            select(Order).where(Order.shop_id == shop_id), Order.order_number, chunk, dialect
        )
        rows.extend((await session.execute(stmt)).scalars().all())
    return {o.order_number: o for o in rows}
