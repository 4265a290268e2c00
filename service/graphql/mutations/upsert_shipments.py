"""``upsertShipments``: insert or update a batch of parcels, all or none."""

from __future__ import annotations

from typing import Annotated

import strawberry

from service.graphql.context import Info
from service.graphql.errors import UserError
from service.graphql.mutations.base import INPUT, run
from service.graphql.types.inputs import Problems, ShipmentInput, check_number, check_shipment
from service.graphql.types.inputs import shipment_facts as input_facts
from service.graphql.types.shipment import ShipmentType
from service.store import ingest


@strawberry.input(description="A parcel of an `upsertShipments` batch and the order it belongs to.")
class ShipmentUpsertInput:
    order_number: str = strawberry.field(description="The platform's order number.")
    shipment: ShipmentInput = strawberry.field(
        description="The parcel, keyed within its order by its tracking number (required"
        " here), with the tracking events it has so far."
    )


@strawberry.input(description="A batch of parcels to insert or update.")
class UpsertShipmentsInput:
    shipments: list[ShipmentUpsertInput] = strawberry.field(
        description=f"The parcels, at most {ingest.MAX_SHIPMENTS} per call (TOO_MANY beyond)."
    )


@strawberry.type(description="The result of `upsertShipments`.")
class UpsertShipmentsPayload:
    shipments: list[ShipmentType] = strawberry.field(
        description="The stored parcels, in input order; empty when anything was rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the batch was rejected; when not empty, nothing was written."
    )


async def upsert_shipments(
    info: Info,
    input: Annotated[
        UpsertShipmentsInput,
        strawberry.argument(
            description="The parcels to store: a parcel of the order with the same tracking"
            " number is updated (a non-null field replaces the stored value, null keeps it;"
            " events are added), any other is inserted."
        ),
    ],
) -> UpsertShipmentsPayload:
    path = [*INPUT, "shipments"]

    async def work() -> list[ShipmentType]:
        problems = Problems(info.context.now)
        if len(input.shipments) <= ingest.MAX_SHIPMENTS:
            for i, item in enumerate(input.shipments):
                check_number(problems, [*path, str(i), "orderNumber"], item.order_number)
                check_shipment(problems, [*path, str(i), "shipment"], item.shipment)
        problems.raise_if_any()
        parcels = [
            ingest.ParcelIn(order_number=item.order_number, shipment=input_facts(item.shipment))
            for item in input.shipments
        ]
        rows = await ingest.upsert_shipments(
            info.context.session, info.context.shop_id, parcels, tuple(path)
        )
        return [ShipmentType.from_model(r) for r in rows]

    shipments, errors = await run(info, info.context.require_ingest, work)
    return UpsertShipmentsPayload(shipments=shipments or [], user_errors=errors)
