from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from service.db import models
from service.graphql.arguments import At, DecisionLocale
from service.graphql.context import Info
from service.graphql.loaders import RefundDecisionKey
from service.graphql.relay import Node, to_global_id
from service.graphql.types.decision import DecisionType
from service.graphql.types.enums import (
    Locale,
    PlatformRefundKind,
    RefundReason,
    RefundStatus,
    RefundType,
)
from service.graphql.types.refs import evaluation_time, present

if TYPE_CHECKING:
    from service.graphql.types.order import OrderType
    from service.graphql.types.shipment import ShipmentType


@strawberry.type(name="RefundRequest", description="A buyer's refund request (售后申请).")
class RefundRequestType(Node):
    row: strawberry.Private[models.RefundRequest]
    refund_number: str = strawberry.field(description="The platform's after-sales id.")
    type: RefundType = strawberry.field(description="Refund only, or return and refund.")  # type: ignore[valid-type]
    reason: RefundReason = strawberry.field(description="The buyer's reason.")  # type: ignore[valid-type]
    status: RefundStatus = strawberry.field(description="Where the request stands.")  # type: ignore[valid-type]
    requested_at: datetime = strawberry.field(description="When the buyer filed it.")
    amount: Decimal | None = strawberry.field(
        description="Amount asked, CNY; null means the whole order amount."
    )
    refunded_at: datetime | None = strawberry.field(
        description="When the money went back to the buyer."
    )
    platform_refund: PlatformRefundKind | None = strawberry.field(  # type: ignore[valid-type]
        description="Set when the platform refunded by itself."
    )
    threatens_review: bool = strawberry.field(
        description="The buyer threatens a bad review or dispute to get cash."
    )
    free_reissues_given: int = strawberry.field(description="Free reissues this order already had.")
    return_tracking_number: str | None = strawberry.field(
        description="Tracking number of the buyer's return parcel."
    )
    return_to_wrong_address: bool = strawberry.field(
        description="The return went to a wrong address."
    )

    @classmethod
    def from_model(cls, row: models.RefundRequest) -> RefundRequestType:
        return cls(
            id=strawberry.ID(to_global_id("RefundRequest", row.id)),
            row=row,
            refund_number=row.refund_number,
            type=row.type,
            reason=row.reason,
            status=row.status,
            requested_at=row.requested_at,
            amount=row.amount,
            refunded_at=row.refunded_at,
            platform_refund=row.platform_refund,
            threatens_review=row.threatens_review,
            free_reissues_given=row.free_reissues_given,
            return_tracking_number=row.return_tracking_number,
            return_to_wrong_address=row.return_to_wrong_address,
        )

    @strawberry.field(description="The order the request is on.")
    async def order(
        self, info: Info
    ) -> Annotated[OrderType, strawberry.lazy("service.graphql.types.order")]:
        from service.graphql.types.order import OrderType

        row = await info.context.loaders.order.load(self.row.order_id)
        return OrderType.from_model(row)

    @strawberry.field(description="The order's latest parcel, if any.")
    async def shipment(
        self, info: Info
    ) -> Annotated[ShipmentType, strawberry.lazy("service.graphql.types.shipment")] | None:
        from service.graphql.types.shipment import ShipmentType

        row = await info.context.loaders.latest_shipment(self.row.order_id)
        return ShipmentType.from_model(row) if row is not None else None

    @strawberry.field(
        description="What to do about this request. `at` evaluates at another time; it"
        " defaults to now."
    )
    async def decision(
        self, info: Info, at: At = None, locale: DecisionLocale = Locale.ZH_CN
    ) -> DecisionType:
        key = RefundDecisionKey(self.row.id, evaluation_time(info, at))
        decision = await info.context.loaders.refund_decision.load(key)
        return present(info, decision, locale)
