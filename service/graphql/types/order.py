from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from service.db import models
from service.graphql.arguments import At, DecisionLocale, OrderInquiry
from service.graphql.context import Info
from service.graphql.loaders import OrderDecisionKey
from service.graphql.relay import Node, to_global_id
from service.graphql.types.decision import DecisionType
from service.graphql.types.enums import (
    EvidenceKind,
    EvidenceSource,
    Locale,
    OrderStatus,
    Platform,
)
from service.graphql.types.refs import evaluation_time, present

if TYPE_CHECKING:
    from service.graphql.types.refund import RefundRequestType
    from service.graphql.types.shipment import ShipmentType


@strawberry.type(name="Evidence", description="A photo, record or proof on file.")
class EvidenceType:
    kind: EvidenceKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    source: EvidenceSource = strawberry.field(description="Who provided it.")  # type: ignore[valid-type]
    reference: str = strawberry.field(description="URL or id in the merchant's store.")
    captured_at: datetime = strawberry.field(description="When it was captured.")

    @classmethod
    def from_model(cls, row: models.EvidenceItem) -> EvidenceType:
        return cls(
            kind=row.kind, source=row.source, reference=row.reference, captured_at=row.captured_at
        )


@strawberry.type(
    name="Order", description="A buyer's order, with its parcels, refunds and decision."
)
class OrderType(Node):
    row: strawberry.Private[models.Order]
    order_number: str = strawberry.field(description="The platform's order number.")
    platform: Platform = strawberry.field(description="Marketplace.")  # type: ignore[valid-type]
    amount: Decimal = strawberry.field(description="Order amount in CNY, exact.")
    status: OrderStatus = strawberry.field(description="Order status.")  # type: ignore[valid-type]
    confirmed_at: datetime = strawberry.field(description="When the order was confirmed (paid).")
    group_formed_at: datetime | None = strawberry.field(
        description="When the group formed (成团); null while awaiting group."
    )
    ship_by: datetime | None = strawberry.field(
        description="Promised ship-by time, if the platform gave one."
    )
    can_fulfil: bool = strawberry.field(description="Whether the shop can still fulfil it (stock).")
    return_address_complete: bool = strawberry.field(
        description="Whether the return address is complete (street and number)."
    )
    remote_destination: bool = strawberry.field(
        description="Remote or overseas destination (longer transit limit)."
    )
    force_majeure_exempt: bool = strawberry.field(
        description="A platform force-majeure exemption applies."
    )

    @classmethod
    def from_model(cls, row: models.Order) -> OrderType:
        return cls(
            id=strawberry.ID(to_global_id("Order", row.id)),
            row=row,
            order_number=row.order_number,
            platform=row.platform,
            amount=row.amount,
            status=row.status,
            confirmed_at=row.confirmed_at,
            group_formed_at=row.group_formed_at,
            ship_by=row.ship_by,
            can_fulfil=row.can_fulfil,
            return_address_complete=row.return_address_complete,
            remote_destination=row.remote_destination,
            force_majeure_exempt=row.force_majeure_exempt,
        )

    @strawberry.field(description="Parcels sent for this order, oldest first.")
    async def shipments(
        self, info: Info
    ) -> list[Annotated[ShipmentType, strawberry.lazy("service.graphql.types.shipment")]]:
        from service.graphql.types.shipment import ShipmentType

        rows = await info.context.loaders.shipments_of_order.load(self.row.id)
        return [ShipmentType.from_model(r) for r in rows]

    @strawberry.field(description="Refund requests on this order, oldest first.")
    async def refund_requests(
        self, info: Info
    ) -> list[Annotated[RefundRequestType, strawberry.lazy("service.graphql.types.refund")]]:
        from service.graphql.types.refund import RefundRequestType

        rows = await info.context.loaders.refunds_of_order.load(self.row.id)
        return [RefundRequestType.from_model(r) for r in rows]

    @strawberry.field(description="Evidence on file for this order.")
    async def evidence(self, info: Info) -> list[EvidenceType]:
        rows = await info.context.loaders.evidence_of_order.load(self.row.id)
        return [EvidenceType.from_model(r) for r in rows]

    @strawberry.field(
        description="What to do about this order, optionally in reply to a buyer inquiry"
        " (urge shipment, where is the parcel, door delivery). `at` evaluates at another"
        ' time ("what if I wait until tomorrow 10:00"); it defaults to now.'
    )
    async def decision(
        self,
        info: Info,
        inquiry: OrderInquiry = None,
        at: At = None,
        locale: DecisionLocale = Locale.ZH_CN,
    ) -> DecisionType:
        key = OrderDecisionKey(self.row.id, inquiry, evaluation_time(info, at))
        decision = await info.context.loaders.order_decision.load(key)
        return present(info, decision, locale)
