from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from service.db import models
from service.graphql.arguments import At, DecisionLocale
from service.graphql.context import Info
from service.graphql.loaders import RefundDecisionKey, answer
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
    refund_number: str = strawberry.field(
        description="The platform's after-sales id, unique in the shop."
    )
    type: RefundType = strawberry.field(  # type: ignore[valid-type]
        description="Whether the buyer returns the goods for the refund."
    )
    reason: RefundReason = strawberry.field(  # type: ignore[valid-type]
        description="The reason the buyer chose; it picks the rules that decide."
    )
    status: RefundStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where the request stands; changed by updateRefundStatus."
    )
    requested_at: datetime = strawberry.field(
        description="When the buyer filed it (UTC); the respond-by deadline counts from here."
    )
    amount: Decimal | None = strawberry.field(
        description="Amount asked, CNY; null means the whole order amount."
    )
    refunded_at: datetime | None = strawberry.field(
        description="When the money went back to the buyer (UTC); null unless REFUNDED. Appeal"
        " windows count from here."
    )
    platform_refund: PlatformRefundKind | None = strawberry.field(  # type: ignore[valid-type]
        description="Why the platform refunded by itself; null when the merchant agreed or it"
        " is not refunded."
    )
    threatens_review: bool = strawberry.field(
        description="The buyer threatens a bad review or a dispute to get cash (then S8 rejects"
        " with the chat as evidence)."
    )
    free_reissues_given: int = strawberry.field(
        description="How many free reissues the order already had, as the integration reported"
        " it; S6 reissues a missing item while it is below the policy's allowance (1)."
    )
    return_tracking_number: str | None = strawberry.field(
        description="Tracking number of the buyer's return parcel; null: no return sent."
    )
    return_to_wrong_address: bool = strawberry.field(
        description="The buyer's return went to an address other than the shop's return"
        " address (see A3)."
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

    # These three answer at once when the page loaded their rows ahead (see answer).

    @strawberry.field(description="The order the request is on.")
    def order(
        self, info: Info
    ) -> Annotated[OrderType, strawberry.lazy("service.graphql.types.order")]:
        from service.graphql.types.order import OrderType

        return answer(info.context.loaders.order, self.row.order_id, OrderType.from_model)

    @strawberry.field(description="The order's latest parcel, if any.")
    def shipment(
        self, info: Info
    ) -> Annotated[ShipmentType, strawberry.lazy("service.graphql.types.shipment")] | None:
        from service.graphql.types.shipment import ShipmentType

        def latest(rows: list[models.Shipment]) -> ShipmentType | None:
            return ShipmentType.from_model(rows[-1]) if rows else None

        return answer(info.context.loaders.shipments_of_order, self.row.order_id, latest)

    @strawberry.field(
        description="What to do about this request. `at` evaluates at another time; it"
        " defaults to now. Null, with an error whose path points here, when the stored facts"
        " cannot be decided (they contradict each other): the rest of the page is unaffected."
    )
    def decision(
        self, info: Info, at: At = None, locale: DecisionLocale = Locale.ZH_CN
    ) -> DecisionType | None:
        key = RefundDecisionKey(self.row.id, evaluation_time(info, at))
        return answer(info.context.loaders.refund_decision, key, lambda d: present(info, d, locale))
