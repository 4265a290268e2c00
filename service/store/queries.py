"""Batched reads, always scoped to one shop. The DataLoaders call these with the ids
a whole page needs, so a page costs the same number of statements at any size."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.lists import dialect_of, ids_in_param, where_text_in
from service.db.models import EvidenceItem, Order, RefundRequest, Shipment, TrackingEvent
from service.db.rows import core_columns

T = TypeVar("T")

# Stays well under SQLite's bound-parameter limit and keeps PostgreSQL plans simple.
CHUNK = 500


@functools.cache
def _of_shop(model: Any, column: str, dialect: str, ordered: bool, plain: bool) -> Select[Any]:
    """``model``'s rows of one shop whose ``column`` is one of some integer keys: built
    once, then run with the shop and the keys as parameters (``shop``, ``ids``).
    ``plain``: as Core rows labelled with the attribute names (see
    :mod:`service.db.rows`), not mapped objects.

    Building the statement per batch, and SQLAlchemy working out its cache key each
    time, was about a twentieth of a 50-row page's Python work: a page runs five of
    these."""
    table = model.__table__
    keys = ids_in_param(table.c[column], "ids", dialect)
    stmt = select(*core_columns(model)) if plain else select(model)
    stmt = stmt.where(table.c.shop_id == bindparam("shop"), keys)
    return stmt.order_by(table.c.id) if ordered else stmt


async def _chunked(
    session: AsyncSession,
    model: Any,
    column: str,
    shop_id: int,
    ids: Sequence[int],
    ordered: bool,
    plain: bool = False,
) -> list[Any]:
    stmt = _of_shop(model, column, dialect_of(session), ordered, plain)
    rows: list[Any] = []
    for start in range(0, len(ids), CHUNK):
        params = {"shop": shop_id, "ids": list(ids[start : start + CHUNK])}
        result = await session.execute(stmt, params)
        rows.extend(result.all() if plain else result.scalars().all())
    return rows


async def by_ids(
    session: AsyncSession, model: type[T], shop_id: int, ids: Sequence[int]
) -> dict[int, T]:
    rows = await _chunked(session, model, "id", shop_id, ids, ordered=False)
    return {row.id: row for row in rows}


async def grouped(
    session: AsyncSession, model: type[T], column: str, shop_id: int, ids: Sequence[int]
) -> dict[int, list[T]]:
    """Rows of ``model`` whose ``column`` is one of ``ids``, grouped by it, by id."""
    return _by(column, await _chunked(session, model, column, shop_id, ids, ordered=True))


def _by(column: str, rows: list[Any]) -> dict[int, list[Any]]:
    """``rows`` grouped by their ``column``, in their order."""
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        out[getattr(row, column)].append(row)
    return out


async def plain_by_ids(
    session: AsyncSession, model: type[Any], shop_id: int, ids: Sequence[int]
) -> dict[int, Any]:
    """:func:`by_ids` as plain rows (see :mod:`service.db.rows`): for reading only."""
    rows = await _chunked(session, model, "id", shop_id, ids, ordered=False, plain=True)
    return {row.id: row for row in rows}


async def plain_grouped(
    session: AsyncSession, model: type[Any], column: str, shop_id: int, ids: Sequence[int]
) -> dict[int, list[Any]]:
    """:func:`grouped` as plain rows (see :mod:`service.db.rows`): for reading only."""
    return _by(
        column, await _chunked(session, model, column, shop_id, ids, ordered=True, plain=True)
    )


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
