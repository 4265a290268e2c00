"""``appendTrackingEvents``: add carrier events to parcels, in batches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.decision import facts as f
from service.graphql.context import Info
from service.graphql.errors import UserError
from service.graphql.mutations.base import INPUT, run
from service.graphql.relay import decode_id
from service.graphql.types.enums import TrackingEventKind
from service.graphql.types.inputs import Problems, check_number, check_text
from service.graphql.types.shipment import ShipmentType
from service.store import ingest


@strawberry.input(description="A carrier tracking event for a parcel named by id or number.")
class ParcelTrackingEventInput:
    shipment_id: strawberry.ID | None = strawberry.field(
        default=None, description="The parcel's id (give this or trackingNumber)."
    )
    tracking_number: str | None = strawberry.field(
        default=None,
        description="The parcel's tracking number (give this or shipmentId); when several"
        " parcels of the shop share it, the newest is meant.",
    )
    at: datetime = strawberry.field(
        description="When the carrier recorded it, with a UTC offset; an event with the same"
        " parcel, time and kind as a stored one is skipped."
    )
    kind: TrackingEventKind = strawberry.field(  # type: ignore[valid-type]
        description="What the event reports; PICKUP and SIGNED also update the parcel and order."
    )
    place: str = strawberry.field(
        default="",
        description="Where, as the carrier writes it; at most 200 printable characters; empty"
        " when unknown.",
    )


@strawberry.input(description="A batch of tracking events, stored all or none.")
class AppendTrackingEventsInput:
    events: list[ParcelTrackingEventInput] = strawberry.field(
        description=f"The events, in any order, at most {ingest.MAX_TRACKING_EVENTS} per call"
        " (TOO_MANY beyond)."
    )


@strawberry.type(description="The result of `appendTrackingEvents`.")
class AppendTrackingEventsPayload:
    shipments: list[ShipmentType] = strawberry.field(
        description="Every parcel the batch named, once, in first-mention order."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the batch was rejected; when not empty, nothing was written."
    )


async def append_tracking_events(
    info: Info,
    input: Annotated[
        AppendTrackingEventsInput,
        strawberry.argument(
            description="The events to add, each naming its parcel by id or by tracking number."
        ),
    ],
) -> AppendTrackingEventsPayload:
    async def work() -> list[ShipmentType]:
        path = [*INPUT, "events"]
        problems = Problems(info.context.now)
        if len(input.events) <= ingest.MAX_TRACKING_EVENTS:
            for i, e in enumerate(input.events):
                check_number(problems, [*path, str(i), "trackingNumber"], e.tracking_number)
                check_text(problems, [*path, str(i), "place"], e.place, 200)
                problems.happened([*path, str(i), "at"], e.at)
        problems.raise_if_any()
        events = [
            ingest.EventIn(
                # Another type's id or garbage: the same as an id that does not exist.
                shipment_id=decode_id(e.shipment_id, "Shipment") if e.shipment_id else None,
                shipment_id_given=e.shipment_id is not None,
                tracking_number=e.tracking_number,
                event=f.TrackingEvent(at=e.at, kind=f.TrackingEventKind(e.kind), place=e.place),
            )
            for e in input.events
        ]
        rows = await ingest.append_tracking_events(
            info.context.session, info.context.shop_id, events, tuple(path)
        )
        return [ShipmentType.from_model(r) for r in rows]

    shipments, errors = await run(info, info.context.require_ingest, work)
    return AppendTrackingEventsPayload(shipments=shipments or [], user_errors=errors)
