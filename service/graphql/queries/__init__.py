"""Root query fields."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from service.graphql.arguments import After, At, DecisionLocale, First
from service.graphql.context import Info
from service.graphql.errors import ClientError
from service.graphql.queries import groups, lists, team
from service.graphql.queries.connection import Connection
from service.graphql.queries.deliveries import webhook_deliveries
from service.graphql.queries.filters import (
    MAX_DUE_WITHIN_HOURS,
    OrderFilter,
    RefundRequestFilter,
    ShipmentFilter,
)
from service.graphql.queries.groups import CaseGroup, DisruptionType
from service.graphql.queries.queue import Assignee, WorkItem, WorkItemKind, work_queue
from service.graphql.queries.recommend import Recommendation, recommend
from service.graphql.relay import DEFAULT_PAGE, MAX_PAGE, Node, from_global_id
from service.graphql.types.action_record import ActionRecordType
from service.graphql.types.agent import AgentType, Viewer
from service.graphql.types.enums import Action, Locale
from service.graphql.types.exemption import ExemptionType
from service.graphql.types.inputs import CaseInput
from service.graphql.types.order import OrderType
from service.graphql.types.refund import RefundRequestType
from service.graphql.types.shipment import ShipmentType
from service.graphql.types.shop import ShopType, load_shop
from service.graphql.webhooks import (
    WebhookDeliveryType,
    WebhookEndpointType,
    webhook_endpoints,
)
from service.store import exemptions

PAGE_ARGS = (
    f"`first` defaults to {DEFAULT_PAGE} and may be at most {MAX_PAGE}; pass the previous"
    " page's `pageInfo.endCursor` as `after`."
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

    webhook_endpoints: list[WebhookEndpointType] = strawberry.field(
        resolver=webhook_endpoints,
        description="The shop's webhook endpoints (no secrets). Needs an admin token.",
    )
    webhook_deliveries: Connection[WebhookDeliveryType] = strawberry.field(
        resolver=webhook_deliveries,
        description="The delivery log, newest first, a page at a time: status, attempts, last"
        " response code and latency. Needs an admin token.",
    )

    @strawberry.field(
        description="Fetch an order, shipment, refund request or action record by global id;"
        " null when it does not exist or belongs to another shop."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="A global id as the API hands it out (an object's `id` field)."
            ),
        ],
    ) -> Node | None:
        return await _node(info, str(id))

    @strawberry.field(description=f"Fetch up to {MAX_PAGE} objects by global id, in order.")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"Global ids, at most {MAX_PAGE}. The answer holds one entry per"
                " id, in the same order; null for an id that names nothing in the shop."
            ),
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise ClientError(f"ids: at most {MAX_PAGE} ids per call, got {len(ids)}")
        # Gathered, so the loaders batch the lookups: one query per type, not per id.
        return list(await asyncio.gather(*(_node(info, str(i)) for i in ids)))

    @strawberry.field(description="Orders, newest confirmed first. " + PAGE_ARGS)
    async def orders(
        self,
        info: Info,
        filter: Annotated[
            OrderFilter | None,
            strawberry.argument(
                description="Keep only the orders matching every criterion given; null keeps all."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[OrderType]:
        return await lists.orders(info, filter, first, after)

    @strawberry.field(description="Refund requests, newest first. " + PAGE_ARGS)
    async def refund_requests(
        self,
        info: Info,
        filter: Annotated[
            RefundRequestFilter | None,
            strawberry.argument(
                description="Keep only the refund requests matching every criterion given;"
                " null keeps all."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[RefundRequestType]:
        return await lists.refund_requests(info, filter, first, after)

    @strawberry.field(description="Shipments, newest recorded first. " + PAGE_ARGS)
    async def shipments(
        self,
        info: Info,
        filter: Annotated[
            ShipmentFilter | None,
            strawberry.argument(
                description="Keep only the shipments matching every criterion given;"
                " null keeps all."
            ),
        ] = None,
        first: First = None,
        after: After = None,
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
        first: First = None,
        after: After = None,
        due_within_hours: Annotated[
            int | None,
            strawberry.argument(
                description="Keep only items whose nearest deadline falls within this many"
                f" hours from now, 1 to {MAX_DUE_WITHIN_HOURS}. Null keeps every item that has a"
                " deadline ahead."
            ),
        ] = None,
        action: Annotated[
            list[Action] | None,  # type: ignore[valid-type]
            strawberry.argument(
                description="Keep only items whose stored decision recommends one of these"
                " actions. Null keeps every action."
            ),
        ] = None,
        kind: Annotated[
            WorkItemKind | None,
            strawberry.argument(
                description="Keep only refund-request items or only order items. Null keeps both."
            ),
        ] = None,
        overdue: Annotated[
            bool | None,
            strawberry.argument(
                description="true: only items with a missed deadline; false: only items"
                " without one. Null keeps both."
            ),
        ] = None,
        proactive: Annotated[
            bool | None,
            strawberry.argument(
                description="true: only the shop's own proactive moves (no buyer request"
                " pending); false: only replies to buyers. Null keeps both."
            ),
        ] = None,
        assignee: Annotated[
            Assignee | None,
            strawberry.argument(
                description="ME: only items the calling agent holds a live claim on;"
                " UNASSIGNED: only items nobody holds; ANYONE or null: every item."
            ),
        ] = None,
    ) -> Connection[WorkItem]:
        return await work_queue(
            info, first, after, due_within_hours, action, kind, overdue, proactive, assignee
        )

    @strawberry.field(description="Who is calling: the token's role and its agent, if any.")
    async def viewer(self, info: Info) -> Viewer:
        return await team.viewer(info)

    @strawberry.field(
        description="The open work queue grouped by action, carrier and last-scan place,"
        " biggest group first, each with its count, money at risk, soonest deadline and one"
        " bulk message; groups inside a detected disruption carry their scenario."
    )
    async def case_groups(self, info: Info) -> list[CaseGroup]:
        return await groups.case_groups(info)

    @strawberry.field(
        description="Detected logistics disruptions: at least the policy's number (20 by"
        " default) of open parcels of one carrier stuck where they were last scanned."
    )
    async def disruptions(self, info: Info) -> list[DisruptionType]:
        return await groups.disruption_list(info)

    @strawberry.field(
        description="The shop's force-majeure exemptions, oldest first: the standing ones, and"
        " the revoked too when asked."
    )
    async def exemptions(
        self,
        info: Info,
        include_revoked: Annotated[
            bool,
            strawberry.argument(description="Also list revoked exemptions."),
        ] = False,
    ) -> list[ExemptionType]:
        ctx = info.context
        async with ctx.db_lock:
            rows = await exemptions.listing(ctx.session, ctx.shop_id, include_revoked)
        return [ExemptionType.from_model(r) for r in rows]

    @strawberry.field(description="The shop's named agents, oldest first, inactive ones included.")
    async def agents(self, info: Info) -> list[AgentType]:
        return await team.agent_list(info)

    @strawberry.field(
        description="Decide a case from inline facts without storing anything (for chat bots"
        " and order systems that keep their own data). Uses the caller's shop policy."
    )
    def recommend(
        self,
        info: Info,
        case: Annotated[
            CaseInput,
            strawberry.argument(
                description="Every fact of the case, inline: the order, and its parcel, refund"
                " request, buyer inquiry and merchant evidence when there are any."
            ),
        ],
        at: At = None,
        locale: DecisionLocale = Locale.ZH_CN,
    ) -> Recommendation:
        # Returned, not awaited: computed at once when the shop policy is cached (see
        # queries/recommend.py); graphql-core awaits it otherwise.
        return recommend(info, case, at, locale)  # type: ignore[return-value]
