from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from service.db import models
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
from service.graphql.types.refs import evaluation_time

if TYPE_CHECKING:
    from service.graphql.types.order import OrderType
    from service.graphql.types.shipment import ShipmentType


@strawberry.type(name="RefundRequest", description="A buyer's refund request (售后申请).")
class RefundRequestType(Node):
    row: strawberry.Private[models.RefundRequest]

    @classmethod
    def from_model(cls, row: models.RefundRequest) -> RefundRequestType:
        return cls(id=strawberry.ID(to_global_id("RefundRequest", row.id)), row=row)

    @strawberry.field(description="The platform's after-sales id.")
    def refund_number(self) -> str:
        return self.row.refund_number

    @strawberry.field(description="Refund only, or return and refund.")
    def type(self) -> RefundType:  # type: ignore[valid-type]
        return self.row.type

    @strawberry.field(description="The buyer's reason.")
    def reason(self) -> RefundReason:  # type: ignore[valid-type]
        return self.row.reason

    @strawberry.field(description="Where the request stands.")
    def status(self) -> RefundStatus:  # type: ignore[valid-type]
        return self.row.status

    @strawberry.field(description="When the buyer filed it.")
    def requested_at(self) -> datetime:
        return self.row.requested_at

    @strawberry.field(description="Amount asked, CNY; null means the whole order amount.")
    def amount(self) -> Decimal | None:
        return self.row.amount

    @strawberry.field(description="When the money went back to the buyer.")
    def refunded_at(self) -> datetime | None:
        return self.row.refunded_at

    @strawberry.field(description="Set when the platform refunded by itself.")
    def platform_refund(self) -> PlatformRefundKind | None:  # type: ignore[valid-type]
        return self.row.platform_refund

    @strawberry.field(description="The buyer threatens a bad review or dispute to get cash.")
    def threatens_review(self) -> bool:
        return self.row.threatens_review

    @strawberry.field(description="Free reissues this order already had.")
    def free_reissues_given(self) -> int:
        return self.row.free_reissues_given

    @strawberry.field(description="Tracking number of the buyer's return parcel.")
    def return_tracking_number(self) -> str | None:
        return self.row.return_tracking_number

    @strawberry.field(description="The return went to a wrong address.")
    def return_to_wrong_address(self) -> bool:
        return self.row.return_to_wrong_address

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
        self, info: Info, at: datetime | None = None, locale: Locale = Locale.ZH_CN
    ) -> DecisionType:
        key = RefundDecisionKey(self.row.id, evaluation_time(info, at))
        decision = await info.context.loaders.refund_decision.load(key)
        return DecisionType.from_decision(decision, locale)
