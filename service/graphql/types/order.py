from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from service.db import models
from service.graphql.arguments import At, DecisionLocale, OrderInquiry
from service.graphql.context import Info
from service.graphql.loaders import OrderDecisionKey, answer, answer_each
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


@strawberry.type(description="Where an order's parcel goes.")
class Destination:
    province: str = strawberry.field(description="Province, region or municipality.")
    city: str | None = strawberry.field(description="City; null when not reported.")


@strawberry.type(name="Evidence", description="A photo, record or proof on file.")
class EvidenceType:
    kind: EvidenceKind = strawberry.field(description="What the evidence is.")  # type: ignore[valid-type]
    source: EvidenceSource = strawberry.field(description="Who provided it: buyer or shop.")  # type: ignore[valid-type]
    reference: str = strawberry.field(
        description="Where the file or record is kept (a URL or an id in the merchant's own"
        " store); this service keeps only the reference."
    )
    captured_at: datetime = strawberry.field(
        description="When the photo was taken or the record made (UTC), as given when attached."
    )

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
    order_number: str = strawberry.field(
        description="The platform's order number, unique in the shop; the key integrations"
        " upsert by."
    )
    platform: Platform = strawberry.field(  # type: ignore[valid-type]
        description="The marketplace of the order; it picks the platform policy."
    )
    amount: Decimal = strawberry.field(
        description="What the buyer paid, in CNY, exact to the cent (a decimal string)."
    )
    status: OrderStatus = strawberry.field(  # type: ignore[valid-type]
        description="The platform's status of the order, as last reported (a SIGNED event"
        " also moves SHIPPED to SIGNED)."
    )
    confirmed_at: datetime = strawberry.field(
        description="When the buyer paid and the platform confirmed the order (UTC)."
    )
    group_formed_at: datetime | None = strawberry.field(
        description="When the group buy formed (成团), UTC; null while awaiting group or when no"
        " group was needed."
    )
    ship_by: datetime | None = strawberry.field(
        description="The ship-by time the platform gave (UTC); null: the decision uses group"
        " formed (or confirmed) plus the policy's ship window."
    )
    can_fulfil: bool = strawberry.field(
        description="Whether the shop can still ship it (stock on hand), as the integration"
        " reported."
    )
    return_address_complete: bool = strawberry.field(
        description="Whether the return address is complete (street and number)."
    )
    remote_destination: bool = strawberry.field(
        description="Remote or overseas destination: transit stagnation is flagged after 120 h"
        " instead of 48 h."
    )
    force_majeure_exempt: bool = strawberry.field(
        description="The platform exempts this region and period from logistics metrics: no fine"
        " is at risk, though the carrier is still chased."
    )
    destination: Destination | None = strawberry.field(
        description="Where the parcel goes; null when the platform did not report it."
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
            destination=(
                Destination(province=row.destination_province, city=row.destination_city)
                if row.destination_province is not None
                else None
            ),
        )

    @strawberry.field(
        description="Parcels sent for this order, oldest first; the decision reads the last."
    )
    def shipments(
        self, info: Info
    ) -> list[Annotated[ShipmentType, strawberry.lazy("service.graphql.types.shipment")]]:
        from service.graphql.types.shipment import ShipmentType

        loader = info.context.loaders.shipments_of_order
        return answer_each(loader, self.row.id, ShipmentType.from_model)

    @strawberry.field(
        description="Refund requests on this order, oldest first; each has its own decision."
    )
    def refund_requests(
        self, info: Info
    ) -> list[Annotated[RefundRequestType, strawberry.lazy("service.graphql.types.refund")]]:
        from service.graphql.types.refund import RefundRequestType

        loader = info.context.loaders.refunds_of_order
        return answer_each(loader, self.row.id, RefundRequestType.from_model)

    @strawberry.field(
        description="Evidence on file for this order and its refund requests, from buyer and shop."
    )
    def evidence(self, info: Info) -> list[EvidenceType]:
        loader = info.context.loaders.evidence_of_order
        return answer_each(loader, self.row.id, EvidenceType.from_model)

    @strawberry.field(
        description="What to do about this order, optionally in reply to a buyer inquiry"
        " (urge shipment, where is the parcel, door delivery). `at` evaluates at another"
        ' time ("what if I wait until tomorrow 10:00"); it defaults to now. Null, with an'
        " error whose path points here, when the stored facts cannot be decided (they"
        " contradict each other): the rest of the page is unaffected."
    )
    def decision(
        self,
        info: Info,
        inquiry: OrderInquiry = None,
        at: At = None,
        locale: DecisionLocale = Locale.ZH_CN,
    ) -> DecisionType | None:
        key = OrderDecisionKey(self.row.id, inquiry, evaluation_time(info, at))
        return answer(info.context.loaders.order_decision, key, lambda d: present(info, d, locale))
