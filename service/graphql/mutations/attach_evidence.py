"""``attachEvidence``: put a photo, record or proof on file for an order or a refund."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.db.models import EvidenceSource as SourceModel
from service.db.models import Order, RefundRequest
from service.decision import facts as f
from service.graphql.context import Info
from service.graphql.errors import UserError
from service.graphql.mutations.base import INPUT, find_owned, one_of, run
from service.graphql.types.enums import EvidenceKind, EvidenceSource
from service.graphql.types.inputs import Problems
from service.graphql.types.order import EvidenceType
from service.store import ingest


@strawberry.input(
    description="A piece of evidence for an order, or for one refund request (then its"
    " order is used)."
)
class AttachEvidenceInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="The order's id (give this or refundRequestId)."
    )
    refund_request_id: strawberry.ID | None = strawberry.field(
        default=None, description="The refund request's id (give this or orderId)."
    )
    kind: EvidenceKind = strawberry.field(  # type: ignore[valid-type]
        description="What the evidence is; the decisions count it as present from now on."
    )
    source: EvidenceSource = strawberry.field(  # type: ignore[valid-type]
        description="Who provided it: the buyer (photos) or the shop (records)."
    )
    reference: str = strawberry.field(
        description=f"URL or id in the merchant's store (1-{ingest.MAX_REFERENCE} characters)."
    )
    captured_at: datetime = strawberry.field(
        description="When the photo was taken or the record made, with a UTC offset."
    )


@strawberry.type(description="The result of `attachEvidence`.")
class AttachEvidencePayload:
    evidence: EvidenceType | None = strawberry.field(
        description="The stored evidence; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was rejected; when not empty, nothing was written."
    )


async def attach_evidence(
    info: Info,
    input: Annotated[
        AttachEvidenceInput,
        strawberry.argument(
            description="What the evidence is, who provided it, where it is kept, and the order or"
            " refund request it belongs to."
        ),
    ],
) -> AttachEvidencePayload:
    async def work() -> EvidenceType:
        problems = Problems(info.context.now)
        problems.happened([*INPUT, "capturedAt"], input.captured_at)
        problems.raise_if_any()
        refund: RefundRequest | None = None
        given = {"orderId": input.order_id, "refundRequestId": input.refund_request_id}
        if one_of(given, list(INPUT)) == "orderId":
            assert input.order_id is not None
            order = await find_owned(info, Order, input.order_id, "Order", [*INPUT, "orderId"])
        else:
            assert input.refund_request_id is not None
            field = [*INPUT, "refundRequestId"]
            refund = await find_owned(
                info, RefundRequest, input.refund_request_id, "RefundRequest", field
            )
            order = await find_owned_by_pk(info, refund.order_id)
        row = await ingest.attach_evidence(
            info.context.session,
            order,
            refund,
            f.EvidenceKind(input.kind),
            SourceModel(input.source),
            input.reference,
            input.captured_at,
            INPUT,
        )
        return EvidenceType.from_model(row)

    evidence, errors = await run(info, info.context.require_ingest, work)
    return AttachEvidencePayload(evidence=evidence, user_errors=errors)


async def find_owned_by_pk(info: Info, order_id: int) -> Order:
    order = await ingest.get_owned(info.context.session, Order, info.context.shop_id, order_id)
    if order is None:  # cannot happen: a refund request's order is in its shop
        raise LookupError(f"order {order_id} of a refund request is missing")
    return order
