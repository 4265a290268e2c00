from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from service.db import models
from service.graphql.context import Info
from service.graphql.relay import Node, to_global_id
from service.graphql.types.enums import SignerKind, TrackingEventKind

if TYPE_CHECKING:
    from service.graphql.types.order import OrderType


@strawberry.type(name="TrackingEvent", description="One carrier tracking event.")
class TrackingEventType:
    at: datetime = strawberry.field(description="When it happened.")
    kind: TrackingEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    place: str = strawberry.field(description="Where.")


@strawberry.type(name="Shipment", description="A parcel sent for an order.")
class ShipmentType(Node):
    row: strawberry.Private[models.Shipment]
    carrier: str | None = strawberry.field(description="Carrier name.")
    tracking_number: str | None = strawberry.field(
        description="Tracking number; null when shipped offline without one online."
    )
    shipped_offline_at: datetime | None = strawberry.field(
        description="When the parcel was handed to the carrier offline."
    )
    tracking_uploaded_at: datetime | None = strawberry.field(
        description="When the tracking number was uploaded to the platform."
    )
    picked_up_at: datetime | None = strawberry.field(description="Pickup scan time (揽件).")
    signer: SignerKind | None = strawberry.field(description="Who signed for it.")  # type: ignore[valid-type]
    interceptable: bool | None = strawberry.field(
        description="Whether interception is still possible; null = derive from events."
    )
    outbound_recorded: bool | None = strawberry.field(
        description="Whether the warehouse outbound record exists."
    )
    expected_weight_g: int | None = strawberry.field(description="Expected parcel weight in grams.")
    recorded_weight_g: int | None = strawberry.field(
        description="Weight recorded by the carrier in grams."
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

    @strawberry.field(description="Tracking events, oldest first.")
    async def events(self, info: Info) -> list[TrackingEventType]:
        rows = await info.context.loaders.events_of_shipment.load(self.row.id)
        return [
            TrackingEventType(at=e.at, kind=e.kind, place=e.place)
            for e in sorted(rows, key=lambda e: (e.at, e.id))
        ]

    @strawberry.field(description="The order this parcel belongs to.")
    async def order(
        self, info: Info
    ) -> Annotated[OrderType, strawberry.lazy("service.graphql.types.order")]:
        from service.graphql.types.order import OrderType

        row = await info.context.loaders.order.load(self.row.order_id)
        return OrderType.from_model(row)
