"""``updateRefundStatus``: move a refund request to its next status."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.db.models import Order, RefundRequest
from service.decision import facts as f
from service.graphql.context import Info
from service.graphql.errors import UserError
from service.graphql.mutations.base import INPUT, find_owned, run
from service.graphql.types.enums import PlatformRefundKind, RefundStatus
from service.graphql.types.inputs import Problems
from service.graphql.types.refund import RefundRequestType
from service.store import ingest


@strawberry.input(
    description="A status change. Allowed: PENDING → AGREED, REJECTED, REFUNDED, CANCELLED;"
    " AGREED → REFUNDED, CANCELLED; REJECTED → PENDING (re-opened), REFUNDED (by the"
    " platform), CANCELLED. REFUNDED and CANCELLED are final."
)
class UpdateRefundStatusInput:
    refund_request_id: strawberry.ID = strawberry.field(
        description="The refund request's global id (its `id` field)."
    )
    status: RefundStatus = strawberry.field(  # type: ignore[valid-type]
        description="The status to move to; it must be allowed from the current one"
        " (INVALID_TRANSITION otherwise)."
    )
    at: datetime | None = strawberry.field(
        default=None,
        description="When the money went back (required with REFUNDED, not before the"
        " request; refused with any other status).",
    )
    platform_refund: PlatformRefundKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Set when the platform refunded by itself (REFUNDED only)."
    )


@strawberry.type(description="The result of `updateRefundStatus`.")
class UpdateRefundStatusPayload:
    refund_request: RefundRequestType | None = strawberry.field(
        description="The updated request; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the change was rejected; when not empty, nothing was written."
    )


async def update_refund_status(
    info: Info,
    input: Annotated[
        UpdateRefundStatusInput,
        strawberry.argument(
            description="The refund request, its new status and, for REFUNDED, when and how it was"
            " refunded."
        ),
    ],
) -> UpdateRefundStatusPayload:
    async def work() -> RefundRequestType:
        problems = Problems(info.context.now)
        problems.happened([*INPUT, "at"], input.at)
        problems.raise_if_any()
        field = [*INPUT, "refundRequestId"]
        refund = await find_owned(
            info, RefundRequest, input.refund_request_id, "RefundRequest", field
        )
        order = await find_owned_order(info, refund.order_id)
        row = await ingest.update_refund_status(
            info.context.session,
            refund,
            order,
            f.RefundStatus(input.status),
            input.at,
            f.PlatformRefundKind(input.platform_refund) if input.platform_refund else None,
            INPUT,
        )
        return RefundRequestType.from_model(row)

    refund, errors = await run(info, info.context.require_ingest, work)
    return UpdateRefundStatusPayload(refund_request=refund, user_errors=errors)


async def find_owned_order(info: Info, order_id: int) -> Order:
    order = await ingest.get_owned(info.context.session, Order, info.context.shop_id, order_id)
    if order is None:  # cannot happen: a refund request's order is in its shop
        raise LookupError(f"order {order_id} of a refund request is missing")
    return order
