"""Paged listings for the dashboard: SQL-side filters and keyset pagination.

Keyset (sort time, id) rather than OFFSET: pages stay cheap deep into the list and
do not shift when new rows arrive while an agent pages through."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from service.db.models import CaseState, Order, RefundRequest, Shipment
from service.decision.facts import (
    OrderStatus,
    Platform,
    PlatformRefundKind,
    RefundReason,
    RefundStatus,
    RefundType,
)
from service.decision.outcome import Action

Cursor = tuple[datetime, int]


@dataclass(frozen=True)
class StateFilter:
    """Filters on the stored case state (see ``service.store.case_state``)."""

    actions: Sequence[Action] = ()
    overdue: bool | None = None
    due_by: datetime | None = None  # the most urgent deadline falls at or before


@dataclass(frozen=True)
class OrderQuery:
    statuses: Sequence[OrderStatus] = ()
    platform: Platform | None = None
    confirmed_from: datetime | None = None
    confirmed_to: datetime | None = None
    order_number: str | None = None
    state: StateFilter | None = None


@dataclass(frozen=True)
class RefundQuery:
    statuses: Sequence[RefundStatus] = ()
    platform: Platform | None = None
    types: Sequence[RefundType] = ()
    reasons: Sequence[RefundReason] = ()
    requested_from: datetime | None = None
    requested_to: datetime | None = None
    state: StateFilter | None = None


@dataclass(frozen=True)
class ShipmentQuery:
    carrier: str | None = None
    tracking_number: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def _keyset(
    stmt: Select[Any],
    at: InstrumentedAttribute[datetime],
    pk: InstrumentedAttribute[int],
    after: Cursor | None,
) -> Select[Any]:
    if after is not None:
        stmt = stmt.where(or_(at < after[0], and_(at == after[0], pk < after[1])))
    return stmt.order_by(at.desc(), pk.desc())


def _between(
    stmt: Select[Any],
    col: InstrumentedAttribute[datetime],
    lo: datetime | None,
    hi: datetime | None,
) -> Select[Any]:
    if lo is not None:
        stmt = stmt.where(col >= lo)
    if hi is not None:
        stmt = stmt.where(col < hi)
    return stmt


def _by_state(
    stmt: Select[Any], kind: str, pk: InstrumentedAttribute[int], f: StateFilter | None
) -> Select[Any]:
    """Keep the rows whose case state passes ``f``, probed row by row in list order.

    As a join, PostgreSQL misjudged it: a pending refund's state is far more often due
    soon than the average state, the estimate came out tiny, and the plan hash-joined
    every refund state of the shop before sorting (27 ms at 200,000 orders, growing with
    the shop). ``OFFSET 0`` keeps the ``EXISTS`` a per-row probe of the state's unique
    index, so the newest-first list scan stops once the page is full: its cost follows
    the rows skipped on the way (about a day of new requests for "due within 24 h"), not
    the shop's size (10 ms at 200,000). A rare filter over a long unfiltered list costs
    more this way; the dashboard's lists are filtered by status first.
    """
    if f is None:
        return stmt
    probe: Select[Any] = select(literal_column("1")).where(
        CaseState.kind == kind, CaseState.entity_id == pk
    )
    if f.actions:
        probe = probe.where(CaseState.action.in_(f.actions))
    if f.overdue is not None:
        probe = probe.where(CaseState.overdue.is_(f.overdue))
    if f.due_by is not None:
        probe = probe.where(CaseState.due_at <= f.due_by)
    return stmt.where(probe.offset(0).exists())


def _orders(shop_id: int, q: OrderQuery) -> Select[Any]:
    stmt = select(Order).where(Order.shop_id == shop_id)
    if q.statuses:
        stmt = stmt.where(Order.status.in_(q.statuses))
    if q.platform is not None:
        stmt = stmt.where(Order.platform == q.platform)
    if q.order_number is not None:
        stmt = stmt.where(Order.order_number == q.order_number)
    stmt = _by_state(stmt, "ORDER", Order.id, q.state)
    return _between(stmt, Order.confirmed_at, q.confirmed_from, q.confirmed_to)


def _refunds(shop_id: int, q: RefundQuery) -> Select[Any]:
    stmt = select(RefundRequest).where(RefundRequest.shop_id == shop_id)
    if q.statuses:
        stmt = stmt.where(RefundRequest.status.in_(q.statuses))
    if q.types:
        stmt = stmt.where(RefundRequest.type.in_(q.types))
    if q.reasons:
        stmt = stmt.where(RefundRequest.reason.in_(q.reasons))
    if q.platform is not None:
        stmt = stmt.join(Order, Order.id == RefundRequest.order_id).where(
            Order.platform == q.platform
        )
    stmt = _by_state(stmt, "REFUND_REQUEST", RefundRequest.id, q.state)
    return _between(stmt, RefundRequest.requested_at, q.requested_from, q.requested_to)


def _shipments(shop_id: int, q: ShipmentQuery) -> Select[Any]:
    stmt = select(Shipment).where(Shipment.shop_id == shop_id)
    if q.carrier is not None:
        stmt = stmt.where(Shipment.carrier == q.carrier)
    if q.tracking_number is not None:
        stmt = stmt.where(Shipment.tracking_number == q.tracking_number)
    return _between(stmt, Shipment.created_at, q.created_from, q.created_to)


async def page_orders(
    session: AsyncSession, shop_id: int, q: OrderQuery, after: Cursor | None, limit: int
) -> list[Order]:
    stmt = _keyset(_orders(shop_id, q), Order.confirmed_at, Order.id, after).limit(limit)
    return list((await session.execute(stmt)).scalars().all())


async def page_refunds(
    session: AsyncSession, shop_id: int, q: RefundQuery, after: Cursor | None, limit: int
) -> list[RefundRequest]:
    stmt = _keyset(_refunds(shop_id, q), RefundRequest.requested_at, RefundRequest.id, after).limit(
        limit
    )
    return list((await session.execute(stmt)).scalars().all())


async def page_shipments(
    session: AsyncSession, shop_id: int, q: ShipmentQuery, after: Cursor | None, limit: int
) -> list[Shipment]:
    stmt = _keyset(_shipments(shop_id, q), Shipment.created_at, Shipment.id, after).limit(limit)
    return list((await session.execute(stmt)).scalars().all())


async def count(
    session: AsyncSession, shop_id: int, q: OrderQuery | RefundQuery | ShipmentQuery
) -> int:
    base = (
        _orders(shop_id, q)
        if isinstance(q, OrderQuery)
        else _refunds(shop_id, q)
        if isinstance(q, RefundQuery)
        else _shipments(shop_id, q)
    )
    stmt = select(func.count()).select_from(base.subquery())
    return int((await session.execute(stmt)).scalar_one())


# -- the work queue's candidates ----------------------------------------------------

OPEN_ORDER_STATUSES = (
    OrderStatus.AWAITING_GROUP,
    OrderStatus.AWAITING_SHIPMENT,
    OrderStatus.SHIPPED,
)


async def queue_candidates(
    session: AsyncSession, shop_id: int, refunded_since: datetime, limit: int
) -> tuple[list[RefundRequest], list[Order]]:
    """Cases that can still expire: pending refund requests, platform refunds recent
    enough to appeal or intercept, and unfinished orders without an open request.
    Newest first, at most ``limit`` of each."""
    refunds = (
        (
            await session.execute(
                select(RefundRequest)
                .where(
                    RefundRequest.shop_id == shop_id,
                    or_(
                        RefundRequest.status == RefundStatus.PENDING,
                        and_(
                            RefundRequest.status == RefundStatus.REFUNDED,
                            RefundRequest.platform_refund.in_(list(PlatformRefundKind)),
                            RefundRequest.refunded_at >= refunded_since,
                        ),
                    ),
                )
                .order_by(RefundRequest.requested_at.desc(), RefundRequest.id.desc())
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    with_refund = {r.order_id for r in refunds}
    orders = (
        (
            await session.execute(
                select(Order)
                .where(Order.shop_id == shop_id, Order.status.in_(OPEN_ORDER_STATUSES))
                .order_by(Order.confirmed_at.desc(), Order.id.desc())
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return list(refunds), [o for o in orders if o.id not in with_refund]
