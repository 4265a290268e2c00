"""``createRefundRequest``: store a buyer's refund request on an order."""

from __future__ import annotations

from typing import Annotated

import strawberry

from service.graphql.context import Info
from service.graphql.errors import UserError
from service.graphql.mutations.base import INPUT, find_order, run
from service.graphql.types.inputs import Problems, RefundRequestInput, check_refund, refund_facts
from service.graphql.types.refund import RefundRequestType
from service.store import ingest


@strawberry.input(description="A refund request for one order: name it by id or by number.")
class CreateRefundRequestInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="The order's id (give this or orderNumber)."
    )
    order_number: str | None = strawberry.field(
        default=None, description="The platform's order number (give this or orderId)."
    )
    refund_request: RefundRequestInput = strawberry.field(
        description="The request; its refundNumber must be new in the shop. Each kind in"
        " buyerEvidence is stored as BUYER evidence captured at requestedAt."
    )


@strawberry.type(description="The result of `createRefundRequest`.")
class CreateRefundRequestPayload:
    refund_request: RefundRequestType | None = strawberry.field(
        description="The stored request; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was rejected; when not empty, nothing was written."
    )


async def create_refund_request(
    info: Info,
    input: Annotated[
        CreateRefundRequestInput,
        strawberry.argument(
            description="The refund request as the platform reports it, and the order it is on."
        ),
    ],
) -> CreateRefundRequestPayload:
    async def work() -> RefundRequestType:
        path = [*INPUT, "refundRequest"]
        problems = Problems(info.context.now)
        check_refund(problems, path, input.refund_request)
        problems.raise_if_any()
        order = await find_order(info, input.order_id, input.order_number)
        data = refund_facts(input.refund_request, order.order_number)
        row = await ingest.create_refund_request(info.context.session, order, data, tuple(path))
        return RefundRequestType.from_model(row)

    refund, errors = await run(info, info.context.require_ingest, work)
    return CreateRefundRequestPayload(refund_request=refund, user_errors=errors)
