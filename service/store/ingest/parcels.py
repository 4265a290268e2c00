"""Upserting parcels in batches, keyed by (order number, tracking number)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.base import utcnow
from service.db.models import Order, Shipment
from service.decision import facts as f
from service.store import case_state, queries
from service.store.ingest.common import (
    MAX_SHIPMENTS,
    Issue,
    IssueCode,
    Path,
    Rejected,
    raise_if,
)
from service.store.ingest.shipments import (
    SHIPMENT_FIELDS,
    add_events,
    check_shipment,
    event_effects,
    new_events,
    signed,
)


@dataclass(frozen=True, slots=True)
class ParcelIn:
    """One parcel of an upsert batch: its order's number and its facts (with the
    tracking number that keys it within the order)."""

    order_number: str
    shipment: f.ShipmentFacts


async def upsert_shipments(
    session: AsyncSession, shop_id: int, parcels: Sequence[ParcelIn], path: Path
) -> list[Shipment]:
    """Insert or update each parcel by (order number, tracking number); all or none.

    A stored parcel of the order with that tracking number is updated (a non-null field
    replaces the stored value, null keeps it), else a parcel is inserted; events are
    added as in ``recordShipment``. The reads are one statement per kind for the whole
    batch, the new parcels one ``INSERT … RETURNING``, their events one ``INSERT``.
    """
    if len(parcels) > MAX_SHIPMENTS:
        raise Rejected(
            [
                Issue(
                    path,
                    IssueCode.TOO_MANY,
                    f"at most {MAX_SHIPMENTS} shipments per call, got {len(parcels)}",
                )
            ]
        )
    issues: list[Issue] = []
    seen: dict[tuple[str, str | None], int] = {}
    for i, p in enumerate(parcels):
        here = (*path, str(i))
        key = (p.order_number, p.shipment.tracking_number)
        if p.shipment.tracking_number is None:
            issues.append(
                Issue(
                    (*here, "shipment", "trackingNumber"),
                    IssueCode.REQUIRED,
                    "a parcel is keyed by its tracking number",
                )
            )
        elif key in seen:
            issues.append(
                Issue(
                    (*here, "shipment", "trackingNumber"),
                    IssueCode.DUPLICATE,
                    f"parcel {key[1]} of order {key[0]} also appears at index {seen[key]}",
                )
            )
        else:
            seen[key] = i
    raise_if(issues)

    orders = await queries.orders_by_number(session, shop_id, sorted({k for k, _ in seen}))
    for i, p in enumerate(parcels):
        if p.order_number not in orders:
            issues.append(
                Issue(
                    (*path, str(i), "orderNumber"),
                    IssueCode.NOT_FOUND,
                    f"no order {p.order_number}",
                )
            )
    raise_if(issues)

    # By order id (indexed) and matched here, rather than a row-value IN over (order,
    # tracking number) pairs, whose plan PostgreSQL may not serve from an index.
    order_ids = sorted({orders[number].id for number, _ in seen})
    existing: dict[tuple[int, str | None], Shipment] = {}
    for oid, rows in (await queries.shipments_by_order(session, shop_id, order_ids)).items():
        for row in rows:  # in id order: the newest wins
            existing[(oid, row.tracking_number)] = row
    stored = await queries.events_by_shipment(session, shop_id, [s.id for s in existing.values()])

    plans: list[tuple[Order, Shipment | None, f.ShipmentFacts, list[tuple[int, f.TrackingEvent]]]]
    plans = []
    for i, p in enumerate(parcels):
        here = (*path, str(i), "shipment")
        order = orders[p.order_number]
        shipment = existing.get((order.id, p.shipment.tracking_number))
        old = stored.get(shipment.id, []) if shipment is not None else []
        data = p.shipment
        merged = data
        if shipment is not None:
            merged = dataclasses.replace(
                data,
                **{
                    name: getattr(data, name)
                    if getattr(data, name) is not None
                    else getattr(shipment, name)
                    for name in SHIPMENT_FIELDS
                },
            )
        new = new_events(old, data.events)
        every = [e for _, e in new] + [
            f.TrackingEvent(at=e.at, kind=e.kind, place=e.place) for e in old
        ]
        merged = event_effects(dataclasses.replace(merged, events=tuple(every)))
        given = data.picked_up_at is not None or (
            shipment is not None and shipment.picked_up_at is not None
        )
        issues += check_shipment(order, merged, old, new, here, given_pickup=given)
        plans.append((order, shipment, merged, new))
    raise_if(issues)

    now = utcnow()
    fresh = [
        {
            "shop_id": shop_id,
            "order_id": order.id,
            "created_at": now,
            "updated_at": now,
            **{name: getattr(merged, name) for name in SHIPMENT_FIELDS},
        }
        for order, shipment, merged, _ in plans
        if shipment is None
    ]
    inserted: list[Shipment] = []
    if fresh:
        inserted = list(
            (
                await session.scalars(
                    insert(Shipment).returning(Shipment, sort_by_parameter_order=True), fresh
                )
            ).all()
        )
    out: list[Shipment] = []
    added = iter(inserted)
    for order, shipment, merged, new in plans:
        if shipment is None:
            shipment = next(added)
        else:
            for name in SHIPMENT_FIELDS:
                setattr(shipment, name, getattr(merged, name))
        signed(order, [e for _, e in new])
        out.append(shipment)
    await session.flush()
    await add_events(session, [(s, new) for s, (_, _, _, new) in zip(out, plans, strict=True)])
    case_state.note_orders(session.sync_session, [s.order_id for s in inserted])
    return out
