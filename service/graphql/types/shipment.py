from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from service.db import models
from service.graphql.context import Info
from service.graphql.loaders import answer
from service.graphql.relay import Node, to_global_id
from service.graphql.types.enums import SignerKind, TrackingEventKind

if TYPE_CHECKING:
    from service.graphql.types.order import OrderType


@strawberry.type(
    name="TrackingEvent", description="One carrier tracking event, as the integration stored it."
)
class TrackingEventType:
    at: datetime = strawberry.field(description="When the carrier recorded it (UTC).")
    kind: TrackingEventKind = strawberry.field(description="What the event reports.")  # type: ignore[valid-type]
    place: str = strawberry.field(
        description="Where, as the carrier wrote it; empty when not given."
    )


@strawberry.type(
    name="Shipment",
    description="A parcel sent for an order; an order may have several (a reissue is a new"
    " parcel), and its decision reads the latest.",
)
class ShipmentType(Node):
    row: strawberry.Private[models.Shipment]
    carrier: str | None = strawberry.field(
        description="Carrier name as the shop wrote it (e.g. 圆通); null when not given."
    )
    tracking_number: str | None = strawberry.field(
        description="Tracking number; null when shipped offline without one online."
    )
    shipped_offline_at: datetime | None = strawberry.field(
        description="When the parcel was handed to the carrier (UTC), before or without an"
        " online tracking upload; null when not given."
    )
    tracking_uploaded_at: datetime | None = strawberry.field(
        description="When the tracking number was uploaded to the platform (UTC); the 24 h"
        " pickup limit counts from here."
    )
    picked_up_at: datetime | None = strawberry.field(
        description="The carrier's pickup scan (揽件), UTC; set by the integration or by the"
        " first PICKUP event. Null: no scan yet."
    )
    signer: SignerKind | None = strawberry.field(  # type: ignore[valid-type]
        description="Who signed for the parcel; null while not signed or when not reported."
    )
    interceptable: bool | None = strawberry.field(
        description="Whether the carrier can still intercept the parcel, as the integration"
        " reported it; null: the decision derives it from the events (possible until out for"
        " delivery)."
    )
    outbound_recorded: bool | None = strawberry.field(
        description="Whether the warehouse outbound record (出库记录) shows the items leaving;"
        " null: not checked."
    )
    expected_weight_g: int | None = strawberry.field(
        description="What the parcel should weigh, in grams; null: not known."
    )
    recorded_weight_g: int | None = strawberry.field(
        description="What the carrier weighed at pickup, in grams (称重记录); null: not known."
    )

    @classmethod
    def from_model(cls, row: models.Shipment) -> ShipmentType:
        return cls(
            id=strawberry.ID(to_global_id("Shipment", row.id)),
            row=row,
            carrier=row.carrier,
            tracking_number=row.tracking_number,
            shipped_offline_at=row.shipped_offline_at,
            tracking_uploaded_at=row.tracking_uploaded_at,
            picked_up_at=row.picked_up_at,
            signer=row.signer,
            interceptable=row.interceptable,
            outbound_recorded=row.outbound_recorded,
            expected_weight_g=row.expected_weight_g,
            recorded_weight_g=row.recorded_weight_g,
        )

    @strawberry.field(description="Its tracking events, oldest first (ties by arrival order).")
    def events(self, info: Info) -> list[TrackingEventType]:
        def timeline(rows: list[models.TrackingEvent]) -> list[TrackingEventType]:
            return [
                TrackingEventType(at=e.at, kind=e.kind, place=e.place)
                for e in sorted(rows, key=lambda e: (e.at, e.id))
            ]

        # At once when the page loaded the events ahead (see loaders.answer).
        return answer(info.context.loaders.events_of_shipment, self.row.id, timeline)

    @strawberry.field(description="The order this parcel belongs to.")
    async def order(
        self, info: Info
    ) -> Annotated[OrderType, strawberry.lazy("service.graphql.types.order")]:
        from service.graphql.types.order import OrderType

        row = await info.context.loaders.order.load(self.row.order_id)
        return OrderType.from_model(row)
