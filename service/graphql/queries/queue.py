"""The work queue (即将逾期): open cases ordered by their nearest deadline."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from enum import Enum

import strawberry

from service.decision import Decision
from service.graphql.arguments import DecisionLocale
from service.graphql.context import Info
from service.graphql.described import described_enum
from service.graphql.errors import ClientError
from service.graphql.loaders import OrderDecisionKey, RefundDecisionKey
from service.graphql.queries.connection import Connection, Edge
from service.graphql.queries.filters import MAX_DUE_WITHIN_HOURS
from service.graphql.queries.lists import load_all
from service.graphql.relay import PageInfo, page_size
from service.graphql.types.decision import DecisionType
from service.graphql.types.enums import DeadlineKind, Locale
from service.graphql.types.order import OrderType
from service.graphql.types.refs import present
from service.graphql.types.refund import RefundRequestType
from service.store import listing

# Candidates examined per request, newest first, for each kind. A shop with more open
# cases than this sees the newest ones; the limit keeps one request bounded.
QUEUE_SCAN_LIMIT = 5000
# Platform refunds stay actionable (appeal, intercept) for this long after the refund.
REFUNDED_LOOKBACK = timedelta(days=8)


class WorkItemKind(Enum):
    REFUND_REQUEST = "REFUND_REQUEST"
    ORDER = "ORDER"


described_enum(
    WorkItemKind,
    "What a work item is about.",
    {
        "REFUND_REQUEST": "A refund request that needs an answer, or a platform refund still"
        " worth acting on (appeal, interception); refundRequest is set.",
        "ORDER": "An order with no open refund request whose next step is due (ship, upload"
        " tracking, chase the carrier); refundRequest is null.",
    },
)


@strawberry.type(description="One case to act on, with what to do and by when.")
class WorkItem:
    kind: WorkItemKind = strawberry.field(
        description="Whether the item is a refund request or an order."
    )
    due_at: datetime = strawberry.field(
        description="The nearest deadline not yet passed at the request's now (UTC); the queue"
        " is sorted by it."
    )
    deadline_kind: DeadlineKind = strawberry.field(  # type: ignore[valid-type]
        description="What falls due at dueAt."
    )
    order: OrderType = strawberry.field(
        description="The order, for either kind (for a refund item, the order it is on)."
    )
    refund_request: RefundRequestType | None = strawberry.field(
        description="The refund request for REFUND_REQUEST items; null for ORDER items."
    )
    decision_value: strawberry.Private[Decision]

    @strawberry.field(
        description="What to do, decided at the request's now (the same decision that put the"
        " item in the queue)."
    )
    def decision(self, info: Info, locale: DecisionLocale = Locale.ZH_CN) -> DecisionType:
        return present(info, self.decision_value, locale)


def _cursor(item: WorkItem) -> str:
    node = item.refund_request if item.refund_request is not None else item.order
    raw = f"q1|{item.due_at.isoformat()}|{item.kind.value}|{node.row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _sort_key(item: WorkItem) -> tuple[datetime, str, int]:
    node = item.refund_request if item.refund_request is not None else item.order
    return item.due_at, item.kind.value, node.row.id


def _decode(after: str) -> tuple[datetime, str, int]:
    try:
        raw = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
        tag, due, kind, pk = raw.split("|")
        if tag != "q1":
            raise ValueError(tag)
        moment = datetime.fromisoformat(due)
        if moment.tzinfo is None:
            raise ValueError(due)
        return moment, WorkItemKind(kind).value, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ClientError(f"after: not a work queue cursor ({after!r})") from exc


def _due(decision: Decision) -> tuple[datetime, DeadlineKind] | None:  # type: ignore[valid-type]
    nearest = decision.nearest_deadline
    return (nearest.at, nearest.kind) if nearest is not None else None


async def work_queue(
    info: Info, first: int | None, after: str | None, due_within_hours: int | None
) -> Connection[WorkItem]:
    size = page_size(first)
    if due_within_hours is not None and not 1 <= due_within_hours <= MAX_DUE_WITHIN_HOURS:
        raise ClientError(f"dueWithinHours: must be between 1 and {MAX_DUE_WITHIN_HOURS}")
    ctx = info.context
    loaders = ctx.loaders
    start = _decode(after) if after is not None else None
    async with ctx.db_lock:
        refunds, orders = await listing.queue_candidates(
            ctx.session, ctx.shop_id, ctx.now - REFUNDED_LOOKBACK, QUEUE_SCAN_LIMIT
        )
    loaders.prime(loaders.refund, refunds)
    loaders.prime(loaders.order, orders)
    refund_decisions = await load_all(
        loaders.refund_decision, [RefundDecisionKey(r.id, ctx.now) for r in refunds]
    )
    order_decisions = await load_all(
        loaders.order_decision, [OrderDecisionKey(o.id, None, ctx.now) for o in orders]
    )
    parents = {o.id: o for o in await loaders.order.load_many([r.order_id for r in refunds]) if o}
    horizon = ctx.now + timedelta(hours=due_within_hours) if due_within_hours else None

    items: list[WorkItem] = []
    for refund, decision in zip(refunds, refund_decisions, strict=True):
        if (
            isinstance(decision, Decision)
            and (due := _due(decision))
            and refund.order_id in parents
        ):
            items.append(
                WorkItem(
                    kind=WorkItemKind.REFUND_REQUEST,
                    due_at=due[0],
                    deadline_kind=due[1],
                    order=OrderType.from_model(parents[refund.order_id]),
                    refund_request=RefundRequestType.from_model(refund),
                    decision_value=decision,
                )
            )
    for order, decision in zip(orders, order_decisions, strict=True):
        if isinstance(decision, Decision) and (due := _due(decision)):
            items.append(
                WorkItem(
                    kind=WorkItemKind.ORDER,
                    due_at=due[0],
                    deadline_kind=due[1],
                    order=OrderType.from_model(order),
                    refund_request=None,
                    decision_value=decision,
                )
            )
    if horizon is not None:
        items = [i for i in items if i.due_at <= horizon]
    items.sort(key=_sort_key)
    if start is not None:
        items = [i for i in items if _sort_key(i) > start]
    page = items[:size]
    edges = [Edge(cursor=_cursor(i), node=i) for i in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(items) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        known_total=len(items) if start is None else None,
    )
