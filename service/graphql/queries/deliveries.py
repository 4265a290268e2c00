"""``webhookDeliveries``: the shop's delivery log as a cursor connection, newest first."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import func, select

from service.db.models import CaseEvent, WebhookDelivery
from service.graphql.context import Info
from service.graphql.errors import ClientError
from service.graphql.queries.connection import Connection, Edge
from service.graphql.queries.lists import asks_for
from service.graphql.relay import (
    DEFAULT_PAGE,
    MAX_PAGE,
    decode_cursor,
    decode_id,
    encode_cursor,
    page_size,
)
from service.graphql.webhooks import ENDPOINT, WebhookDeliveryType, delivery_node

DELIVERY_STATUSES = ("PENDING", "DELIVERED", "FAILED")


async def webhook_deliveries(
    info: Info,
    first: Annotated[
        int | None,
        strawberry.argument(description=f"Page size (1-{MAX_PAGE}, default {DEFAULT_PAGE})."),
    ] = None,
    after: Annotated[
        str | None,
        strawberry.argument(description="Continue after this cursor (a page's `endCursor`)."),
    ] = None,
    status: Annotated[
        str | None,
        strawberry.argument(description="Only this status: PENDING, DELIVERED or FAILED."),
    ] = None,
    endpoint_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="Only the deliveries to this endpoint (its global id)."),
    ] = None,
) -> Connection[WebhookDeliveryType]:
    ctx = info.context
    ctx.require_admin()
    size = page_size(first)
    position = decode_cursor(after)
    if status is not None and status not in DELIVERY_STATUSES:
        raise ClientError("status must be PENDING, DELIVERED or FAILED")
    where = [WebhookDelivery.shop_id == ctx.shop_id]
    if status is not None:
        where.append(WebhookDelivery.status == status)
    if endpoint_id is not None:
        # Another type's id, or garbage, matches nothing, like an unknown endpoint.
        where.append(WebhookDelivery.endpoint_id == (decode_id(endpoint_id, ENDPOINT) or -1))
    # Newest first, by id (keyset: the ids are the log's order and its primary key).
    stmt = (
        select(WebhookDelivery, CaseEvent.uid, CaseEvent.type)
        .join(CaseEvent, CaseEvent.id == WebhookDelivery.event_id)
        .where(*where)
        .order_by(WebhookDelivery.id.desc())
        .limit(size + 1)
    )
    if position is not None:
        stmt = stmt.where(WebhookDelivery.id < position[1])
    count = None
    # Root fields resolve concurrently on one session: one at a time.
    async with ctx.db_lock:
        rows = (await ctx.session.execute(stmt)).all()
        if asks_for(info, "totalCount"):
            total = select(func.count()).select_from(WebhookDelivery).where(*where)
            count = int((await ctx.session.execute(total)).scalar_one())
    edges = [
        Edge(cursor=encode_cursor(d.created_at, d.id), node=delivery_node(d, uid, kind))
        for d, uid, kind in rows[:size]
    ]
    return Connection.page(edges, len(rows) > size, after, count)
