"""The dashboard lists: orders, refund requests, shipments, with cursor pagination."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from service.decision import Decision
from service.decision.outcome import Action
from service.graphql.context import Info
from service.graphql.loaders import OrderDecisionKey, RefundDecisionKey
from service.graphql.queries.connection import Connection, Edge
from service.graphql.queries.filters import (
    OrderFilter,
    RefundRequestFilter,
    ShipmentFilter,
    decision_criteria,
    order_query,
    refund_query,
    shipment_query,
)
from service.graphql.relay import PageInfo, decode_cursor, encode_cursor, page_size
from service.graphql.types.order import OrderType
from service.graphql.types.refund import RefundRequestType
from service.graphql.types.shipment import ShipmentType
from service.store import listing

R = TypeVar("R")
N = TypeVar("N")

# Decision filters run in Python over SQL-ordered rows; one request examines at most
# this many rows, then returns a short page whose endCursor resumes the scan.
SCAN_LIMIT = 2000


def matches(
    decision: Decision | BaseException, actions: frozenset[Action], due_by: datetime | None
) -> bool:
    if not isinstance(decision, Decision):
        return False  # stored facts that cannot be decided never match a decision filter
    if actions and decision.action not in actions:
        return False
    if due_by is not None:
        nearest = decision.next_deadline
        return nearest is not None and nearest <= due_by
    return True


async def paginate(
    info: Info,
    *,
    fetch: Callable[[tuple[datetime, int] | None, int], Awaitable[Sequence[R]]],
    sort_key: Callable[[R], datetime],
    decisions: Callable[[Sequence[R]], Awaitable[list[Any]]] | None,
    actions: frozenset[Action],
    due_within_hours: int | None,
    to_node: Callable[[R], N],
    first: int | None,
    after: str | None,
    total: Callable[[], Awaitable[int]] | None,
) -> Connection[N]:
    size = page_size(first)
    position = decode_cursor(after)
    filtering = bool(actions) or due_within_hours is not None
    due_by = (
        info.context.now + timedelta(hours=due_within_hours)
        if due_within_hours is not None
        else None
    )
    kept: list[R] = []
    scanned = 0
    has_next = False
    while True:
        batch = size + 1 if not filtering else max(2 * size, 50)
        async with info.context.db_lock:
            rows = await fetch(position, batch)
        if not rows:
            break
        flags = (
            [matches(d, actions, due_by) for d in await decisions(rows)]
            if filtering and decisions is not None
            else [True] * len(rows)
        )
        for row, keep in zip(rows, flags, strict=True):
            if keep:
                if len(kept) == size:
                    has_next = True
                    break
                kept.append(row)
            scanned += 1
            position = (sort_key(row), row.id)  # type: ignore[attr-defined]
        if has_next or len(rows) < batch:
            break
        if scanned >= SCAN_LIMIT:
            has_next = True
            break
    edges = [Edge(cursor=encode_cursor(sort_key(r), r.id), node=to_node(r)) for r in kept]  # type: ignore[attr-defined]
    end_cursor = edges[-1].cursor if edges else None
    if has_next and filtering and position is not None:
        end_cursor = encode_cursor(*position)  # resume the scan where it stopped
    count_total = None
    if total is not None and not filtering:
        counter = total

        async def count_total() -> int:
            async with info.context.db_lock:
                return await counter()

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=end_cursor,
        ),
        count_total=count_total,
    )


async def load_all(loader: Any, keys: Sequence[Any]) -> list[Any]:
    return list(await asyncio.gather(*(loader.load(k) for k in keys), return_exceptions=True))


async def orders(
    info: Info, filter: OrderFilter | None, first: int | None, after: str | None
) -> Connection[OrderType]:
    ctx = info.context
    q = order_query(filter)
    actions, hours = decision_criteria(filter)

    async def decisions(rows: Sequence[Any]) -> list[Any]:
        ctx.loaders.prime(ctx.loaders.order, rows)
        return await load_all(
            ctx.loaders.order_decision, [OrderDecisionKey(r.id, None, ctx.now) for r in rows]
        )

    return await paginate(
        info,
        fetch=lambda pos, n: listing.page_orders(ctx.session, ctx.shop_id, q, pos, n),
        sort_key=lambda r: r.confirmed_at,
        decisions=decisions,
        actions=actions,
        due_within_hours=hours,
        to_node=OrderType.from_model,
        first=first,
        after=after,
        total=lambda: listing.count(ctx.session, ctx.shop_id, q),
    )


async def refund_requests(
    info: Info, filter: RefundRequestFilter | None, first: int | None, after: str | None
) -> Connection[RefundRequestType]:
    ctx = info.context
    q = refund_query(filter)
    actions, hours = decision_criteria(filter)

    async def decisions(rows: Sequence[Any]) -> list[Any]:
        ctx.loaders.prime(ctx.loaders.refund, rows)
        return await load_all(
            ctx.loaders.refund_decision, [RefundDecisionKey(r.id, ctx.now) for r in rows]
        )

    return await paginate(
        info,
        fetch=lambda pos, n: listing.page_refunds(ctx.session, ctx.shop_id, q, pos, n),
        sort_key=lambda r: r.requested_at,
        decisions=decisions,
        actions=actions,
        due_within_hours=hours,
        to_node=RefundRequestType.from_model,
        first=first,
        after=after,
        total=lambda: listing.count(ctx.session, ctx.shop_id, q),
    )


async def shipments(
    info: Info, filter: ShipmentFilter | None, first: int | None, after: str | None
) -> Connection[ShipmentType]:
    ctx = info.context
    q = shipment_query(filter)
    return await paginate(
        info,
        fetch=lambda pos, n: listing.page_shipments(ctx.session, ctx.shop_id, q, pos, n),
        sort_key=lambda r: r.created_at,
        decisions=None,
        actions=frozenset(),
        due_within_hours=None,
        to_node=ShipmentType.from_model,
        first=first,
        after=after,
        total=lambda: listing.count(ctx.session, ctx.shop_id, q),
    )
