"""Parcels and their tracking events."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import BigInteger, DateTime, Select, Table, bindparam, func, select, update
from sqlalchemy import cast as cast_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.base import utcnow
from service.db.lists import dialect_of, ids_in, ids_in_param, insert_from_arrays, where_text_in
from service.db.models import (
    Order,
    Shipment,
    TrackingEvent,
)
from service.db.rows import core_columns, joined_columns, joined_part
from service.decision import facts as f
from service.decision.validation import check_facts
from service.store import case_state, queries
from service.store.facts import order_facts, shipment_facts
from service.store.ingest.common import (
    MAX_TRACKING_EVENTS,
    Issue,
    IssueCode,
    Path,
    Rejected,
    camel,
    dialect_insert,
    events_of,
    fact_field,
    inconsistent,
    raise_if,
)

# -- shipments and tracking events -------------------------------------------------------

SHIPMENT_FIELDS = (
    "carrier",
    "tracking_number",
    "shipped_offline_at",
    "tracking_uploaded_at",
    "picked_up_at",
    "signer",
    "interceptable",
    "outbound_recorded",
    "expected_weight_g",
    "recorded_weight_g",
)


def event_effects(shipment: f.ShipmentFacts) -> f.ShipmentFacts:
    """A PICKUP event fills an empty pickup time (the earliest pickup scan)."""
    if shipment.picked_up_at is not None:
        return shipment
    pickups = [e.at for e in shipment.events if e.kind is f.TrackingEventKind.PICKUP]
    return dataclasses.replace(shipment, picked_up_at=min(pickups)) if pickups else shipment


def new_events(
    stored: Sequence[TrackingEvent], incoming: Sequence[f.TrackingEvent]
) -> list[tuple[int, f.TrackingEvent]]:
    """Incoming events (with their input index) not already stored nor repeated."""
    seen = {(e.at, e.kind) for e in stored}
    out: list[tuple[int, f.TrackingEvent]] = []
    for i, e in enumerate(incoming):
        if (e.at, e.kind) not in seen:
            seen.add((e.at, e.kind))
            out.append((i, e))
    return out


def check_shipment(
    order: Order,
    merged: f.ShipmentFacts,
    stored_events: Sequence[TrackingEvent],
    new: list[tuple[int, f.TrackingEvent]],
    shipment_path: Path,
    event_path: Path | None = None,
    fallback: Path | None = None,
    given_pickup: bool = False,
) -> list[Issue]:
    """Check order + parcel; new events come first so problem indices map to inputs.

    ``event_path`` is the path of the input's events list (default: the parcel's
    ``events``); an event problem on a stored event is reported on ``fallback``.
    """
    facts = dataclasses.replace(
        merged,
        events=tuple(e for _, e in new)
        + tuple(f.TrackingEvent(at=e.at, kind=e.kind, place=e.place) for e in stored_events),
    )
    events_at = event_path if event_path is not None else (*shipment_path, "events")
    # A pickup time filled from a new PICKUP event is that event's fault.
    pickup_event = next(
        (i for i, e in new if e.kind is f.TrackingEventKind.PICKUP and e.at == merged.picked_up_at),
        None,
    )
    issues: list[Issue] = []
    for p in check_facts(f.CaseFacts(order=order_facts(order), shipment=facts)):
        if p.field == "shipment.picked_up_at" and pickup_event is not None and not given_pickup:
            issues.append(inconsistent((*events_at, str(pickup_event), "at"), p))
        elif p.field.startswith("shipment.events["):
            index, _, rest = p.field.removeprefix("shipment.events[").partition("]")
            k = int(index)
            if k < len(new):
                tail = tuple(camel(x) for x in rest.lstrip(".").split(".") if x)
                issues.append(inconsistent((*events_at, str(new[k][0]), *tail), p))
            else:
                issues.append(inconsistent(fallback or shipment_path, p, "(stored event)"))
        elif p.field.startswith("shipment.") and fallback is None:
            issues.append(inconsistent(fact_field(shipment_path, p.field, {"shipment": ""}), p))
        else:
            issues.append(inconsistent(fallback or shipment_path, p, "(with stored facts)"))
    return _merge(issues)


def _merge(issues: list[Issue]) -> list[Issue]:
    """One issue per field and code, their messages joined."""
    merged: dict[tuple[Path, IssueCode], list[str]] = {}
    for issue in issues:
        merged.setdefault((issue.field, issue.code), []).append(issue.message)
    return [Issue(field, code, "; ".join(msgs)) for (field, code), msgs in merged.items()]


async def add_events(
    session: AsyncSession, batches: Sequence[tuple[Shipment, list[tuple[int, f.TrackingEvent]]]]
) -> None:
    """One multi-row ``INSERT`` for every new event of the batch. The events were
    deduplicated against the stored ones; ``DO NOTHING`` covers a concurrent writer
    that stored the same event in between (it is the same event)."""
    now = utcnow()
    values = [
        {
            "shop_id": shipment.shop_id,
            "shipment_id": shipment.id,
            "at": e.at,
            "kind": e.kind,
            "place": e.place,
            "created_at": now,
            "updated_at": now,
        }
        for shipment, new in batches
        for _, e in new
    ]
    if not values:
        return
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_pg_insert_events(), _event_arrays(values, now))
    else:
        # Rows as parameters: one cached statement, sent as multi-row INSERTs.
        table = TrackingEvent.__table__
        await session.execute(dialect_insert(session, table).on_conflict_do_nothing(), values)
    # By order, which the parcels carry: noting the parcels made the commit look their
    # orders up with one more statement.
    case_state.note_orders(session.sync_session, {s.order_id for s, new in batches if new})


_EVENT_COLUMNS = ("shop_id", "shipment_id", "at", "kind", "place")
_EVENT_STAMPS = ("created_at", "updated_at")


@functools.cache
def _pg_insert_events() -> Any:
    """The events as one array per column, the time stamps once (see
    ``insert_from_arrays``)."""
    table = cast(Table, TrackingEvent.__table__)
    return insert_from_arrays(table, _EVENT_COLUMNS, _EVENT_STAMPS).on_conflict_do_nothing()


def _event_arrays(values: Sequence[dict[str, Any]], now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {f"a_{name}": [v[name] for v in values] for name in _EVENT_COLUMNS}
    out["a_kind"] = [k.value for k in out["a_kind"]]
    out.update({f"c_{name}": now for name in _EVENT_STAMPS})
    return out


def signed(order: Order, events: Sequence[f.TrackingEvent]) -> None:
    """A SIGNED event moves a SHIPPED order to SIGNED."""
    if _signs(order.status, events):
        order.status = f.OrderStatus.SIGNED


async def record_shipment(
    session: AsyncSession,
    order: Order,
    shipment: Shipment | None,
    data: f.ShipmentFacts,
    path: Path,
) -> Shipment:
    """Create a parcel for ``order`` or update ``shipment`` (a non-null field replaces
    the stored value, null keeps it); store its events (deduplicated on time and
    kind), then apply the events' effects (see :func:`append_tracking_events`)."""
    stored_events = await events_of(session, order.shop_id, shipment.id) if shipment else []
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
    new = new_events(stored_events, data.events)
    all_events = [e for _, e in new] + [
        f.TrackingEvent(at=e.at, kind=e.kind, place=e.place) for e in stored_events
    ]
    merged = event_effects(dataclasses.replace(merged, events=tuple(all_events)))
    given = data.picked_up_at is not None or (shipment is not None and shipment.picked_up_at)
    raise_if(check_shipment(order, merged, stored_events, new, path, given_pickup=bool(given)))

    if shipment is None:
        shipment = Shipment(shop_id=order.shop_id, order_id=order.id)
        session.add(shipment)
    for name in SHIPMENT_FIELDS:
        setattr(shipment, name, getattr(merged, name))
    await session.flush()
    await add_events(session, [(shipment, new)])
    signed(order, [e for _, e in new])
    await session.flush()
    return shipment


@dataclass(frozen=True, slots=True)
class EventIn:
    """One tracking event of an append batch, naming its parcel by id or number."""

    shipment_id: int | None
    shipment_id_given: bool
    tracking_number: str | None
    event: f.TrackingEvent


async def append_tracking_events(
    session: AsyncSession, shop_id: int, events: Sequence[EventIn], path: Path
) -> list[Any]:
    """Add carrier events to parcels; all or none. Idempotent: an event already stored
    with the same time and kind is skipped. Effects: the earliest PICKUP event fills an
    empty pickup time; a SIGNED event moves a SHIPPED order to SIGNED.

    A tracking number that several parcels of the shop share names the newest one.

    The parcels, their orders and their stored events are read as plain rows and the
    effects written by statements, not through mapped objects: loading 500 events' worth
    of objects and flushing their changes was about a fifth of a batch. Returns the
    parcels named, in first-mention order, as rows with the pickup time written.
    """
    if len(events) > MAX_TRACKING_EVENTS:
        raise Rejected(
            [
                Issue(
                    path,
                    IssueCode.TOO_MANY,
                    f"at most {MAX_TRACKING_EVENTS} events per call, got {len(events)}",
                )
            ]
        )
    issues: list[Issue] = []
    ids = sorted({e.shipment_id for e in events if e.shipment_id is not None})
    numbers = sorted({e.tracking_number for e in events if e.tracking_number is not None})
    # Each parcel comes with its order, joined: one statement fewer per batch.
    by_id: dict[int, Any] = {}
    by_number: dict[str, Any] = {}
    orders: dict[int, Any] = {}
    if ids:
        stmt = _parcels_and_orders(dialect_of(session))
        rows = (await session.execute(stmt, {"shop": shop_id, "ids": ids})).all()
        by_id = {row.id: row for row in rows}
        _orders_of(rows, orders)
    if numbers:
        table = cast(Table, Shipment.__table__)
        rows = (
            await session.execute(
                where_text_in(
                    _joined_to_orders().where(table.c.shop_id == shop_id),
                    table.c.tracking_number,
                    numbers,
                    dialect_of(session),
                )
            )
        ).all()
        # Sorted here, not by the query: an ORDER BY id let PostgreSQL walk the whole
        # table in id order instead of probing the numbers' index.
        for row in sorted(rows, key=lambda r: r.id):
            assert row.tracking_number is not None
            by_number[row.tracking_number] = row  # the newest wins
        _orders_of(rows, orders)

    targets: list[Any] = []
    for i, e in enumerate(events):
        here = (*path, str(i))
        target: Any = None
        if e.shipment_id_given and e.tracking_number is not None:
            issues.append(
                Issue(
                    (*here, "trackingNumber"),
                    IssueCode.INVALID,
                    "give shipmentId or trackingNumber, not both",
                )
            )
        elif e.shipment_id_given:
            target = by_id.get(e.shipment_id) if e.shipment_id is not None else None
            if target is None:
                issues.append(Issue((*here, "shipmentId"), IssueCode.NOT_FOUND, "no such shipment"))
        elif e.tracking_number is not None:
            target = by_number.get(e.tracking_number)
            if target is None:
                issues.append(
                    Issue(
                        (*here, "trackingNumber"),
                        IssueCode.NOT_FOUND,
                        f"no shipment with tracking number {e.tracking_number}",
                    )
                )
        else:
            issues.append(
                Issue(
                    (*here, "shipmentId"), IssueCode.REQUIRED, "give shipmentId or trackingNumber"
                )
            )
        targets.append(target)
    raise_if(issues)

    groups: dict[int, list[tuple[int, f.TrackingEvent]]] = {}
    shipments: dict[int, Any] = {}
    for i, (e, target) in enumerate(zip(events, targets, strict=True)):
        assert target is not None
        shipments.setdefault(target.id, target)
        groups.setdefault(target.id, []).append((i, e.event))
    stored = await queries.plain_grouped(
        session, TrackingEvent, "shipment_id", shop_id, list(shipments)
    )

    plans: list[tuple[Any, Any, list[tuple[int, f.TrackingEvent]], f.ShipmentFacts]] = []
    for sid, group in groups.items():
        shipment, order = shipments[sid], orders[shipments[sid].order_id]
        old = stored.get(sid, [])
        fresh = new_events(old, [e for _, e in group])
        new = [(group[k][0], e) for k, e in fresh]  # back to batch indices
        stored_facts = shipment_facts(shipment, old)
        merged = event_effects(
            dataclasses.replace(stored_facts, events=tuple(e for _, e in new) + stored_facts.events)
        )
        issues += check_shipment(
            order,
            merged,
            old,
            new,
            path,
            event_path=path,
            fallback=(*path, str(group[0][0])),
            given_pickup=shipment.picked_up_at is not None,
        )
        plans.append((shipment, order, new, merged))
    raise_if(issues)

    picked = {s.id: m.picked_up_at for s, _, _, m in plans if m.picked_up_at != s.picked_up_at}
    signed_orders = sorted(
        {o.id for _, o, new, _ in plans if _signs(o.status, [e for _, e in new])}
    )
    await _set_pickups(session, shop_id, picked)
    await _set_signed(session, shop_id, signed_orders)
    # add_events notes for the commit's refresh every order whose parcel got an event,
    # which covers every pickup and signing written above.
    await add_events(session, [(shipment, new) for shipment, _, new, _ in plans])
    return [
        SimpleNamespace(**{**s._mapping, "picked_up_at": picked[sid]}) if sid in picked else s
        for sid, s in shipments.items()
    ]


def _joined_to_orders() -> Select[Any]:
    """Parcels as plain rows, each followed by its order's columns (``order__…``)."""
    shipments = cast(Table, Shipment.__table__)
    orders = cast(Table, Order.__table__)
    joined = shipments.join(orders, orders.c.id == shipments.c.order_id)
    return select(*core_columns(Shipment), *joined_columns(Order, "order")).select_from(joined)


@functools.cache
def _parcels_and_orders(dialect: str) -> Select[Any]:
    """:func:`_joined_to_orders` of one shop by parcel ids (``shop``, ``ids``), built once."""
    table = cast(Table, Shipment.__table__)
    return _joined_to_orders().where(
        table.c.shop_id == bindparam("shop"), ids_in_param(table.c.id, "ids", dialect)
    )


def _orders_of(rows: Sequence[Any], into: dict[int, Any]) -> None:
    """Add the orders joined to these parcel rows to ``into``, by id, as objects with
    the model's attribute names."""
    for row in rows:
        if row.order_id not in into:
            into[row.order_id] = joined_part(row, Order)


def _signs(status: f.OrderStatus, events: Sequence[f.TrackingEvent]) -> bool:
    """Whether these new events move an order in ``status`` to SIGNED (see :func:`signed`)."""
    return status is f.OrderStatus.SHIPPED and any(
        e.kind is f.TrackingEventKind.SIGNED for e in events
    )


async def _set_pickups(session: AsyncSession, shop_id: int, picked: dict[int, Any]) -> None:
    """Write the parcels' new pickup times, in id order (so two batches lock shared
    parcels in the same order)."""
    if not picked:
        return
    ordered = sorted(picked.items())
    if dialect_of(session) == "postgresql":
        # One statement, the parcels as two arrays: an executemany UPDATE of a batch's
        # parcels ran the statement once per parcel.
        await session.execute(
            _pg_set_pickups(),
            {"shop": shop_id, "a_id": [i for i, _ in ordered], "a_at": [a for _, a in ordered]},
        )
        return
    table = cast(Table, Shipment.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.shop_id == shop_id)
        .values(picked_up_at=bindparam("b_picked"))
    )
    await session.execute(stmt, [{"b_id": i, "b_picked": at} for i, at in ordered])


@functools.cache
def _pg_set_pickups() -> Any:
    """``UPDATE shipments … FROM unnest(ids, times)``, built once."""
    table = cast(Table, Shipment.__table__)
    picked = (
        func.unnest(
            cast_(bindparam("a_id"), ARRAY(BigInteger())),
            cast_(bindparam("a_at"), ARRAY(DateTime(timezone=True))),
        )
        .table_valued("id", "at")
        .render_derived(name="picked")
    )
    return (
        update(table)
        .where(table.c.id == picked.c.id, table.c.shop_id == bindparam("shop"))
        .values(picked_up_at=picked.c.at)
    )


async def _set_signed(session: AsyncSession, shop_id: int, order_ids: Sequence[int]) -> None:
    """Move these SHIPPED orders to SIGNED."""
    if not order_ids:
        return
    table = cast(Table, Order.__table__)
    await session.execute(
        update(table)
        .where(
            ids_in(table.c.id, order_ids, dialect_of(session)),
            table.c.shop_id == shop_id,
            table.c.status == f.OrderStatus.SHIPPED,
        )
        .values(status=f.OrderStatus.SIGNED)
    )
