"""``recordShipment``: create a parcel for an order, or update one, with its events."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import strawberry

from service.db.models import Shipment
from service.decision import facts as f
from service.graphql.context import Info
from service.graphql.errors import UserError
from service.graphql.mutations.base import INPUT, find_order, find_owned, run
from service.graphql.types.inputs import (
    Problems,
    ShipmentInput,
    check_shipment,
    shipment_facts,
)
from service.graphql.types.shipment import ShipmentType
from service.store import ingest


@strawberry.input(description="A parcel for one order: name the order by id or by number.")
class RecordShipmentInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="The order's id (give this or orderNumber)."
    )
    order_number: str | None = strawberry.field(
        default=None, description="The platform's order number (give this or orderId)."
    )
    shipment_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Update this parcel of the order instead of creating one: a non-null"
        " field replaces the stored value, a null field keeps it; events are added.",
    )
    shipment: ShipmentInput = strawberry.field(
        description="The parcel and the tracking events it has so far."
    )


@strawberry.type(description="The result of `recordShipment`.")
class RecordShipmentPayload:
    shipment: ShipmentType | None = strawberry.field(
        description="The stored parcel; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was rejected; when not empty, nothing was written."
    )


async def record_shipment(
    info: Info,
    input: Annotated[
        RecordShipmentInput,
        strawberry.argument(
            description="The order (by id or number), the parcel with the tracking events it"
            " already has, and shipmentId when an existing parcel is updated."
        ),
    ],
) -> RecordShipmentPayload:
    async def work() -> ShipmentType:
        path = [*INPUT, "shipment"]
        problems = Problems(info.context.now)
        check_shipment(problems, path, input.shipment)
        problems.raise_if_any()
        order = await find_order(info, input.order_id, input.order_number)
        existing: Shipment | None = None
        if input.shipment_id is not None:
            field = [*INPUT, "shipmentId"]
            existing = await find_owned(info, Shipment, input.shipment_id, "Shipment", field)
            if existing.order_id != order.id:
                raise ingest.Rejected(
                    [
                        ingest.Issue(
                            tuple(field),
                            ingest.IssueCode.NOT_FOUND,
                            "no such Shipment on this order",
                        )
                    ]
                )
        # Events in input order, so a problem's index is the input's index.
        data = dataclasses.replace(
            shipment_facts(input.shipment),
            events=tuple(
                f.TrackingEvent(at=e.at, kind=f.TrackingEventKind(e.kind), place=e.place)
                for e in input.shipment.events or ()
            ),
        )
        row = await ingest.record_shipment(info.context.session, order, existing, data, tuple(path))
        return ShipmentType.from_model(row)

    shipment, errors = await run(info, info.context.require_ingest, work)
    return RecordShipmentPayload(shipment=shipment, user_errors=errors)
