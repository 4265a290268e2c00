"""Root query fields."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry

from service.graphql.context import Info
from service.graphql.errors import ClientError
from service.graphql.queries import lists
from service.graphql.queries.connection import Connection
from service.graphql.queries.filters import OrderFilter, RefundRequestFilter, ShipmentFilter
from service.graphql.queries.queue import WorkItem, WorkItemKind, work_queue
from service.graphql.queries.recommend import Recommendation, recommend
from service.graphql.relay import MAX_PAGE, Node, from_global_id
from service.graphql.types.action_record import ActionRecordType
from service.graphql.types.enums import Action, Locale
from service.graphql.types.inputs import CaseInput
from service.graphql.types.order import OrderType
from service.graphql.types.refund import RefundRequestType
from service.graphql.types.shipment import ShipmentType
from service.graphql.types.shop import ShopType, load_shop

PAGE_ARGS = (
    f"`first` defaults to 20 and may be at most {MAX_PAGE}; pass the previous page's"
    " `pageInfo.endCursor` as `after`."
)


async def _node(info: Info, global_id: str) -> Node | None:
    parsed = from_global_id(global_id)
    if parsed is None:
        return None
    type_name, pk = parsed
    loaders = info.context.loaders
    if type_name == "Order":
        order = await loaders.order.load(pk)
        return OrderType.from_model(order) if order else None
    if type_name == "RefundRequest":
        refund = await loaders.refund.load(pk)
        return RefundRequestType.from_model(refund) if refund else None
    if type_name == "ActionRecord":
        record = await loaders.action_record.load(pk)
        return ActionRecordType.from_model(record) if record else None
    if type_name == "Shipment":
        shipment = await loaders.shipment.load(pk)
        return ShipmentType.from_model(shipment) if shipment else None
    return None


@strawberry.type(description="Read the calling shop's orders, refunds, shipments and decisions.")
class Query:
    @strawberry.field(description="The shop the calling token belongs to.")
    async def shop(self, info: Info) -> ShopType:
        return await load_shop(info)

    @strawberry.field(
        description="Fetch an order, shipment, refund request or action record by global id;"
        " null when it does not exist or belongs to another shop."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _node(info, str(id))

    @strawberry.field(description=f"Fetch up to {MAX_PAGE} objects by global id, in order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise ClientError(f"ids: at most {MAX_PAGE} ids per call, got {len(ids)}")
        # Gathered, so the loaders batch the lookups: one query per type, not per id.
        return list(await asyncio.gather(*(_node(info, str(i)) for i in ids)))

    @strawberry.field(description="Orders, newest confirmed first. " + PAGE_ARGS)
    async def orders(
        self,
        info: Info,
        filter: OrderFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[OrderType]:
        return await lists.orders(info, filter, first, after)

    @strawberry.field(description="Refund requests, newest first. " + PAGE_ARGS)
    async def refund_requests(
        self,
        info: Info,
        filter: RefundRequestFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[RefundRequestType]:
        return await lists.refund_requests(info, filter, first, after)

    @strawberry.field(description="Shipments, newest recorded first. " + PAGE_ARGS)
    async def shipments(
        self,
        info: Info,
        filter: ShipmentFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ShipmentType]:
        return await lists.shipments(info, filter, first, after)

    @strawberry.field(
        description="What to act on (即将逾期): pending refund requests, recent platform"
        " refunds and unfinished orders that have something to do by a deadline; overdue"
        " items first, then the soonest deadline, each with its decision. `dueWithinHours`"
        " keeps items due within that many hours (overdue ones included); `action`, `kind`,"
        " `overdue` and `proactive` narrow it further. " + PAGE_ARGS
    )
    async def work_queue(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        due_within_hours: int | None = None,
        action: list[Action] | None = None,  # type: ignore[valid-type]
        kind: WorkItemKind | None = None,
        overdue: bool | None = None,
        proactive: bool | None = None,
    ) -> Connection[WorkItem]:
        return await work_queue(
            info, first, after, due_within_hours, action, kind, overdue, proactive
        )

    @strawberry.field(
        description="Decide a case from inline facts without storing anything (for chat bots"
        " and order systems that keep their own data). Uses the caller's shop policy."
    )
    async def recommend(
        self,
        info: Info,
        case: CaseInput,
        at: datetime | None = None,
        locale: Locale = Locale.ZH_CN,
    ) -> Recommendation:
        return await recommend(info, case, at, locale)
