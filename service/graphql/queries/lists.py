"""The dashboard lists: orders, refund requests, shipments, with cursor pagination.

Decision filters (recommended action, overdue, due within) are SQL conditions on the
stored case state, so a filtered page costs what an unfiltered one does; the shop's
stale states are recomputed at the request's now first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from service.db.models import Order, RefundRequest
from service.graphql.context import Info
from service.graphql.loaders import OrderDecisionKey, RefundDecisionKey, load_each
from service.graphql.queries.connection import Connection, Edge
from service.graphql.queries.filters import (
    OrderFilter,
    RefundRequestFilter,
    ShipmentFilter,
    order_query,
    refund_query,
    shipment_query,
)
from service.graphql.relay import decode_cursor, encode_cursor, page_size
from service.graphql.types.order import OrderType
from service.graphql.types.refund import RefundRequestType
from service.graphql.types.shipment import ShipmentType
from service.store import listing
from service.store.refresher import refresh_stale

R = TypeVar("R")
N = TypeVar("N")


def asks_for(info: Info, name: str) -> bool:
    """Whether the field being resolved selects ``name`` (fragments included)."""
    return _selects(info, lambda s: getattr(s, "name", None) == name)


def asks_at_now(info: Info, name: str) -> bool:
    """Whether the field being resolved selects ``name`` with neither ``at`` nor
    ``inquiry`` somewhere: a decision at the request's now, on the stored facts alone."""

    def at_now(s: Any) -> bool:
        arguments = getattr(s, "arguments", None) or {}
        return (
            getattr(s, "name", None) == name
            and arguments.get("at") is None
            and arguments.get("inquiry") is None
        )

    return _selects(info, at_now)


def _selects(info: Info, wanted: Callable[[Any], bool]) -> bool:
    def walk(selections: Any) -> bool:
        return any(wanted(s) or walk(getattr(s, "selections", ())) for s in selections)

    return any(walk(f.selections) for f in info.selected_fields)


async def paginate(
    info: Info,
    *,
    fetch: Callable[[tuple[datetime, int] | None, int], Awaitable[Sequence[R]]],
    sort_key: Callable[[R], datetime],
    to_node: Callable[[R], N],
    first: int | None,
    after: str | None,
    total: Callable[[], Awaitable[int]],
    by_state: bool = False,
    ahead: Callable[[Sequence[R]], Awaitable[None]] | None = None,
) -> Connection[N]:
    """A page of ``fetch``'s rows as a connection; ``ahead`` loads what the rows' fields
    will read, in one batch per kind, before they resolve."""
    size = page_size(first)
    position = decode_cursor(after)
    ctx = info.context
    count = None
    async with ctx.db_lock:
        # Kept, as the work queue keeps them (see queries.queue).
        if by_state and await refresh_stale(ctx.session, ctx.shop_id, ctx.now):
            ctx.writes = True
        rows = await fetch(position, size + 1)
        # Counting a large shop costs more than the page: only when asked.
        if asks_for(info, "totalCount"):
            count = await total()
    kept = rows[:size]
    if ahead is not None and kept:
        await ahead(kept)
    edges = [Edge(cursor=encode_cursor(sort_key(r), r.id), node=to_node(r)) for r in kept]  # type: ignore[attr-defined]
    return Connection.page(edges, len(rows) > size, after, count)


async def load_all(loader: Any, keys: Sequence[Any]) -> list[Any]:
    return await load_each(loader, keys, return_exceptions=True)


async def orders(
    info: Info, filter: OrderFilter | None, first: int | None, after: str | None
) -> Connection[OrderType]:
    ctx = info.context
    q = order_query(filter, ctx.now)
    return await paginate(
        info,
        fetch=lambda pos, n: listing.page_orders(ctx.session, ctx.shop_id, q, pos, n),
        sort_key=lambda r: r.confirmed_at,
        to_node=OrderType.from_model,
        first=first,
        after=after,
        total=lambda: listing.count(ctx.session, ctx.shop_id, q),
        by_state=q.state is not None,
        ahead=lambda rows: _orders_ahead(info, rows),
    )


async def _orders_ahead(info: Info, rows: Sequence[Order]) -> None:
    # As for refund requests (below): each row's fields then answer at once.
    loaders = info.context.loaders
    order_ids = [r.id for r in rows]
    loaders.order.prime_many({r.id: r for r in rows})  # the decisions' batch reads them
    if asks_at_now(info, "decision"):
        # The decisions' batch reads the parcels, evidence and events too.
        keys = [OrderDecisionKey(i, None, info.context.now) for i in order_ids]
        await load_all(loaders.order_decision, keys)
    elif asks_for(info, "shipments"):
        await load_all(loaders.shipments_of_order, order_ids)
    if asks_for(info, "refundRequests"):
        await load_all(loaders.refunds_of_order, order_ids)


async def refund_requests(
    info: Info, filter: RefundRequestFilter | None, first: int | None, after: str | None
) -> Connection[RefundRequestType]:
    ctx = info.context
    q = refund_query(filter, ctx.now)
    return await paginate(
        info,
        fetch=lambda pos, n: listing.page_refunds(ctx.session, ctx.shop_id, q, pos, n),
        sort_key=lambda r: r.requested_at,
        to_node=RefundRequestType.from_model,
        first=first,
        after=after,
        total=lambda: listing.count(ctx.session, ctx.shop_id, q),
        by_state=q.state is not None,
        ahead=lambda rows: _refunds_ahead(info, rows),
    )


async def _refunds_ahead(info: Info, rows: Sequence[RefundRequest]) -> None:
    # Each row's order, parcel and decision then answer at once (loaders.answer)
    # instead of as an awaitable per row.
    loaders = info.context.loaders
    loaders.refund.prime_many({r.id: r for r in rows})  # the decisions' batch reads them
    if asks_at_now(info, "decision"):
        # The decisions' batch reads the orders, parcels, evidence and events too.
        keys = [RefundDecisionKey(r.id, info.context.now) for r in rows]
        await load_all(loaders.refund_decision, keys)
        return
    order_ids = [r.order_id for r in rows]
    if asks_for(info, "order"):
        await load_all(loaders.order, order_ids)
    if asks_for(info, "shipment"):
        await load_all(loaders.shipments_of_order, order_ids)


async def shipments(
    info: Info, filter: ShipmentFilter | None, first: int | None, after: str | None
) -> Connection[ShipmentType]:
    ctx = info.context
    q = shipment_query(filter)
    return await paginate(
        info,
        fetch=lambda pos, n: listing.page_shipments(ctx.session, ctx.shop_id, q, pos, n),
        sort_key=lambda r: r.created_at,
        to_node=ShipmentType.from_model,
        first=first,
        after=after,
        total=lambda: listing.count(ctx.session, ctx.shop_id, q),
    )
