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

    @classmethod
    def from_model(cls, row: models.Shipment) -> ShipmentType:
        return cls(id=strawberry.ID(to_global_id("Shipment", row.id)), row=row)

    @strawberry.field(description="Carrier name.")
    def carrier(self) -> str | None:
        return self.row.carrier

    @strawberry.field(description="Tracking number; null when shipped offline without one online.")
    def tracking_number(self) -> str | None:
        return self.row.tracking_number

    @strawberry.field(description="When the parcel was handed to the carrier offline.")
    def shipped_offline_at(self) -> datetime | None:
        return self.row.shipped_offline_at

    @strawberry.field(description="When the tracking number was uploaded to the platform.")
    def tracking_uploaded_at(self) -> datetime | None:
        return self.row.tracking_uploaded_at

    @strawberry.field(description="Pickup scan time (揽件).")
    def picked_up_at(self) -> datetime | None:
        return self.row.picked_up_at

    @strawberry.field(description="Who signed for it.")
    def signer(self) -> SignerKind | None:  # type: ignore[valid-type]
        return self.row.signer

    @strawberry.field(
        description="Whether interception is still possible; null = derive from events."
    )
    def interceptable(self) -> bool | None:
        return self.row.interceptable

    @strawberry.field(description="Whether the warehouse outbound record exists.")
    def outbound_recorded(self) -> bool | None:
        return self.row.outbound_recorded

    @strawberry.field(description="Expected parcel weight in grams.")
    def expected_weight_g(self) -> int | None:
        return self.row.expected_weight_g

    @strawberry.field(description="Weight recorded by the carrier in grams.")
    def recorded_weight_g(self) -> int | None:
        return self.row.recorded_weight_g

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
