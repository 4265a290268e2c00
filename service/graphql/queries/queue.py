"""The work queue (即将逾期): open cases with something to do, overdue first, then the
soonest deadline; one indexed query over the stored case states, keyset-paginated.

Before the query the shop's stale states are recomputed at the request's now, so the
page equals deciding every case at that instant. The decisions shown are computed
fresh for the page alone, through the loaders, so their texts ("26 h ago") are exact.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

import strawberry

from service.db.models import CaseState
from service.decision import Decision
from service.decision.outcome import Action as ActionEnum
from service.graphql.arguments import DecisionLocale
from service.graphql.context import Info
from service.graphql.described import described_enum
from service.graphql.errors import ClientError
from service.graphql.loaders import (
    OrderDecisionKey,
    RefundDecisionKey,
    load_each,
    load_together,
)
from service.graphql.queries.connection import Connection, Edge
from service.graphql.queries.filters import MAX_DUE_WITHIN_HOURS, MAX_LIST_FILTER
from service.graphql.queries.lists import asks_for, load_all
from service.graphql.relay import page_size, parse_pk
from service.graphql.scalars import in_supported_range
from service.graphql.types.agent import ClaimType
from service.graphql.types.decision import DecisionType
from service.graphql.types.enums import Action, DeadlineKind, Locale
from service.graphql.types.order import OrderType
from service.graphql.types.refs import present
from service.graphql.types.refund import RefundRequestType
from service.store import work_queue as queue_sql
from service.store.refresher import refresh_stale
from service.store.work_queue import QueueCursor, QueueQuery
from service.team import claims
from service.team.claims import CaseKey, Hold


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


class Assignee(Enum):
    ME = "ME"
    UNASSIGNED = "UNASSIGNED"
    ANYONE = "ANYONE"


described_enum(
    Assignee,
    "Whose work items to list, by their live claims.",
    {
        "ME": "Items the calling agent holds a live claim on (needs an agent's token).",
        "UNASSIGNED": "Items nobody holds a live claim on.",
        "ANYONE": "Every item, claimed or not.",
    },
)


@strawberry.type(description="One case to act on, with what to do and by when.")
class WorkItem:
    kind: WorkItemKind = strawberry.field(
        description="Whether the item is a refund request or an order."
    )
    due_at: datetime = strawberry.field(
        description="The most urgent deadline (UTC): the earliest missed one when the item is"
        " overdue, else the nearest ahead at the request's now. The queue is sorted by it,"
        " overdue items first."
    )
    deadline_kind: DeadlineKind = strawberry.field(  # type: ignore[valid-type]
        description="What falls due at dueAt."
    )
    overdue: bool = strawberry.field(
        description="True when a deadline to act by has already passed with the case open."
    )
    order: OrderType = strawberry.field(
        description="The order, for either kind (for a refund item, the order it is on)."
    )
    refund_request: RefundRequestType | None = strawberry.field(
        description="The refund request for REFUND_REQUEST items; null for ORDER items."
    )
    decision_value: strawberry.Private[Decision]
    hold: strawberry.Private[Hold | None] = None
    last_action: Action | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="The last action an agent recorded on the case (the item is back in the"
        " queue because its decision has changed since); null when none was recorded.",
    )
    last_action_at: datetime | None = strawberry.field(
        default=None, description="When lastAction was recorded (UTC); null with it."
    )
    carrier: str = strawberry.field(
        default="",
        description="The carrier of the order's latest parcel; empty when not shipped (as"
        " caseGroups groups items).",
    )
    last_scan_place: str = strawberry.field(
        default="",
        description="Where that parcel was last scanned; empty when never scanned (as"
        " caseGroups groups items).",
    )

    @strawberry.field(
        description="Who holds a live claim on the item, and until when; null when nobody does."
    )
    def claim(self) -> ClaimType | None:
        return ClaimType(hold=self.hold) if self.hold is not None else None

    @strawberry.field(
        description="What to do, decided at the request's now (the same decision that put the"
        " item in the queue)."
    )
    def decision(self, info: Info, locale: DecisionLocale = Locale.ZH_CN) -> DecisionType:
        return present(info, self.decision_value, locale)


def _cursor(key: QueueCursor) -> str:
    rank, due, kind, pk = key
    raw = f"q2|{rank}|{due.isoformat()}|{kind}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(after: str) -> QueueCursor:
    try:
        raw = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
        tag, rank, due, kind, digits = raw.split("|")
        pk = parse_pk(digits)
        if tag != "q2" or rank not in ("0", "1") or pk is None:
            raise ValueError(tag)
        moment = datetime.fromisoformat(due)
        if moment.tzinfo is None or not in_supported_range(moment):
            raise ValueError(due)
        return int(rank), moment, WorkItemKind(kind).value, pk
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ClientError(f"after: not a work queue cursor ({after[:64]!r})") from exc


def queue_query(
    info: Info,
    due_within_hours: int | None,
    action: list[ActionEnum] | None,
    kind: WorkItemKind | None,
    overdue: bool | None,
    proactive: bool | None,
    assignee: Assignee | None = None,
) -> QueueQuery:
    if due_within_hours is not None and not 1 <= due_within_hours <= MAX_DUE_WITHIN_HOURS:
        raise ClientError(f"dueWithinHours: must be between 1 and {MAX_DUE_WITHIN_HOURS}")
    if action is not None and len(action) > MAX_LIST_FILTER:
        raise ClientError(f"action: at most {MAX_LIST_FILTER} values")
    now = info.context.now
    agent_id = info.context.principal.agent_id
    if assignee is Assignee.ME and agent_id is None:
        raise ClientError("assignee: ME needs an agent's token (this is a shop-level token)")
    return QueueQuery(
        assignee=None if assignee in (None, Assignee.ANYONE) else assignee.value,
        agent_id=agent_id,
        now=now,
        actions=[ActionEnum(a) for a in action or ()],
        kind=kind.value if kind is not None else None,
        overdue=overdue,
        proactive=proactive,
        due_by=now + timedelta(hours=due_within_hours) if due_within_hours else None,
    )


async def work_queue(
    info: Info,
    first: int | None,
    after: str | None,
    due_within_hours: int | None,
    action: list[ActionEnum] | None = None,
    kind: WorkItemKind | None = None,
    overdue: bool | None = None,
    proactive: bool | None = None,
    assignee: Assignee | None = None,
) -> Connection[WorkItem]:
    size = page_size(first)
    q = queue_query(info, due_within_hours, action, kind, overdue, proactive, assignee)
    ctx = info.context
    start = _decode(after) if after is not None else None
    total: int | None = None
    async with ctx.db_lock:
        # Kept (committed with the request): in a big shop some states turn stale every
        # second, and a rolled-back refresh made every poll redo them (87 stale orders
        # cost a 200,000-order shop's queue 100 ms a request) until the refresher came.
        if await refresh_stale(ctx.session, ctx.shop_id, ctx.now):
            ctx.writes = True
        rows = await queue_sql.page(ctx.session, ctx.shop_id, q, start, size + 1)
        if start is None and asks_for(info, "totalCount"):
            total = await queue_sql.count(ctx.session, ctx.shop_id, q)
    page = rows[:size]
    items = await _items(info, page)
    edges = [Edge(cursor=_cursor(queue_sql.sort_key(s)), node=i) for s, i in items]
    return Connection.page(edges, len(rows) > size, after, total)


async def _items(info: Info, page: list[CaseState]) -> list[tuple[CaseState, WorkItem]]:
    """The page's orders, refunds and fresh decisions, each loaded in one batch."""
    ctx = info.context
    loaders = ctx.loaders
    refund_ids = [s.refund_request_id for s in page if s.refund_request_id is not None]
    order_ids = [s.order_id for s in page]
    orders, refund_rows = await load_together(
        (loaders.order, order_ids), (loaders.refund, refund_ids)
    )
    refunds = {r.id: r for r in refund_rows if r is not None}
    # What the page's decisions read, for orders and refunds together: a fixed number of
    # statements whatever the mix of kinds on the page.
    shipments: list[list[Any]]
    shipments, _ = await load_together(
        (loaders.shipments_of_order, order_ids), (loaders.evidence_of_order, order_ids)
    )
    latest = {order_ids[i]: s[-1] for i, s in enumerate(shipments) if s}
    scans = await load_each(loaders.events_of_shipment, [p.id for p in latest.values()])
    last_place = {
        oid: max(events, key=lambda e: (e.at, e.id)).place if events else ""
        for oid, events in zip(latest, scans, strict=True)
    }
    keys: list[Any] = [
        RefundDecisionKey(s.refund_request_id, ctx.now)
        if s.refund_request_id is not None
        else OrderDecisionKey(s.order_id, None, ctx.now)
        for s in page
    ]
    refund_keys = [k for k in keys if isinstance(k, RefundDecisionKey)]
    order_keys = [k for k in keys if isinstance(k, OrderDecisionKey)]
    decided: dict[Any, Any] = dict(
        zip(refund_keys, await load_all(loaders.refund_decision, refund_keys), strict=True)
    )
    decided |= dict(
        zip(order_keys, await load_all(loaders.order_decision, order_keys), strict=True)
    )
    held: dict[CaseKey, Hold] = {}
    if asks_for(info, "claim"):
        async with ctx.db_lock:
            held = await claims.holds(
                ctx.session, ctx.shop_id, [CaseKey(s.kind, s.entity_id) for s in page], ctx.now
            )
    out: list[tuple[CaseState, WorkItem]] = []
    for state, order, key in zip(page, orders, keys, strict=True):
        decision = decided[key]
        refund = refunds.get(state.refund_request_id) if state.refund_request_id else None
        if order is None or not isinstance(decision, Decision):
            continue  # deleted or contradicted since the state was written
        assert state.due_at is not None and state.deadline_kind is not None
        out.append(
            (
                state,
                WorkItem(
                    kind=WorkItemKind(state.kind),
                    due_at=state.due_at,
                    deadline_kind=state.deadline_kind,
                    overdue=state.overdue,
                    order=OrderType.from_model(order),
                    refund_request=RefundRequestType.from_model(refund) if refund else None,
                    decision_value=decision,
                    hold=held.get(CaseKey(state.kind, state.entity_id)),
                    last_action=state.last_action,
                    last_action_at=state.last_action_at,
                    carrier=(parcel.carrier or "") if (parcel := latest.get(order.id)) else "",
                    last_scan_place=last_place.get(order.id) or "",
                ),
            )
        )
    return out
