"""Writes for the ingest mutations: look rows up within one shop, check that the
result is consistent, then write.

Nothing here knows about GraphQL: problems are reported as :class:`Issue` (a field
path in the caller's input vocabulary, a code and a message) inside :class:`Rejected`.
Callers run these functions inside a savepoint, so raising ``Rejected`` after a flush
still leaves nothing written. Services only ``flush()``; the request commits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import (
    EvidenceItem,
    EvidenceSource,
    Order,
    RefundRequest,
    Shipment,
    Shop,
    TrackingEvent,
)
from service.decision import facts as f
from service.decision.validation import Problem, check_facts
from service.store import queries
from service.store.facts import order_facts, refund_facts, shipment_facts

MAX_ORDERS = 100
MAX_TRACKING_EVENTS = 500
MAX_REFERENCE = 500
BUYER_DECLARED = "buyer-declared"

Path = tuple[str, ...]
T = TypeVar("T")


class IssueCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    TOO_MANY = "TOO_MANY"
    INCONSISTENT_FACTS = "INCONSISTENT_FACTS"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE = "DUPLICATE"


@dataclass(frozen=True, slots=True)
class Issue:
    field: Path
    code: IssueCode
    message: str


class Rejected(Exception):
    """The input cannot be stored; ``issues`` lists every reason found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__("; ".join(f"{'.'.join(i.field)}: {i.message}" for i in issues))
        self.issues = list(issues)


def _raise_if(issues: list[Issue]) -> None:
    if issues:
        raise Rejected(issues)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def fact_field(prefix: Path, dotted: str, rename: dict[str, str] | None = None) -> Path:
    """``shipment.events[2].at`` → ``(*prefix, "shipment", "events", "2", "at")``;
    ``rename`` maps a leading fact name to the input's name (``refund`` →
    ``refundRequest``) or drops it (``order`` → ``""``)."""
    out = list(prefix)
    for n, part in enumerate(dotted.split(".")):
        name, _, index = part.partition("[")
        if n == 0 and rename is not None and name in rename:
            name = rename[name]
            if not name:
                continue
        else:
            name = camel(name)
        out.append(name)
        if index:
            out.append(index.rstrip("]"))
    return tuple(out)


def _inconsistent(field: Path, problem: Problem, context: str = "") -> Issue:
    prefix = f"{problem.field} {context}".rstrip() if context else problem.field
    return Issue(field, IssueCode.INCONSISTENT_FACTS, f"{prefix}: {problem.message}")


# -- lookups within one shop ------------------------------------------------------------


async def get_owned(
    session: AsyncSession, model: type[T], shop_id: int, pk: int | None
) -> T | None:
    """The row of ``model`` with id ``pk`` in the shop; None for another shop's row."""
    if pk is None:
        return None
    found = await queries.by_ids(session, model, shop_id, [pk])
    return found.get(pk)


async def order_by_number(session: AsyncSession, shop_id: int, number: str) -> Order | None:
    return (await queries.orders_by_number(session, shop_id, [number])).get(number)


async def latest_shipment(session: AsyncSession, shop_id: int, order_id: int) -> Shipment | None:
    shipments = (await queries.shipments_by_order(session, shop_id, [order_id])).get(order_id)
    return shipments[-1] if shipments else None


async def _events(session: AsyncSession, shop_id: int, shipment_id: int) -> list[TrackingEvent]:
    return (await queries.events_by_shipment(session, shop_id, [shipment_id])).get(shipment_id, [])


# -- orders ---------------------------------------------------------------------------


async def upsert_orders(
    session: AsyncSession, shop: Shop, orders: Sequence[f.OrderFacts], path: Path
) -> list[Order]:
    """Insert or update each order by (shop, order number); all or none.

    Every order is checked against what is already stored for it (its latest parcel
    and its refund requests), so an update cannot make stored facts contradict.
    """
    if len(orders) > MAX_ORDERS:
        raise Rejected(
            [
                Issue(
                    path,
                    IssueCode.TOO_MANY,
                    f"at most {MAX_ORDERS} orders per call, got {len(orders)}",
                )
            ]
        )
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for i, o in enumerate(orders):
        here = (*path, str(i))
        if o.order_number in seen:
            issues.append(
                Issue(
                    (*here, "orderNumber"),
                    IssueCode.DUPLICATE,
                    f"order {o.order_number} also appears at index {seen[o.order_number]}",
                )
            )
        else:
            seen[o.order_number] = i
        if o.platform is not shop.platform:
            issues.append(
                Issue(
                    (*here, "platform"),
                    IssueCode.INVALID,
                    f"the shop sells on {shop.platform.value}, not {o.platform.value}",
                )
            )
    _raise_if(issues)

    stored = await queries.orders_by_number(session, shop.id, seen)
    ids = [o.id for o in stored.values()]
    shipments = await queries.shipments_by_order(session, shop.id, ids)
    latest = {oid: rows[-1] for oid, rows in shipments.items() if rows}
    events = await queries.events_by_shipment(session, shop.id, [s.id for s in latest.values()])
    refunds = await queries.refunds_by_order(session, shop.id, ids)
    evidence = await queries.evidence_by_order(session, shop.id, ids)

    for i, o in enumerate(orders):
        here = (*path, str(i))
        row = stored.get(o.order_number)
        if row is None:
            cases = [f.CaseFacts(order=o)]
        else:
            sh = latest.get(row.id)
            sf = shipment_facts(sh, events.get(sh.id, [])) if sh is not None else None
            ev = evidence.get(row.id, [])
            cases = [f.CaseFacts(order=o, shipment=sf)] + [
                f.CaseFacts(order=o, shipment=sf, refund=refund_facts(r, row, ev))
                for r in refunds.get(row.id, [])
            ]
        reported: set[str] = set()
        for case in cases:
            for p in check_facts(case):
                if p.field in reported:
                    continue
                reported.add(p.field)
                if p.field.startswith("order."):
                    issues.append(_inconsistent(fact_field(here, p.field, {"order": ""}), p))
                else:  # a stored parcel or refund that this order would contradict
                    issues.append(_inconsistent((*here, "confirmedAt"), p, "(stored)"))
    _raise_if(issues)

    out: list[Order] = []
    for o in orders:
        row = stored.get(o.order_number)
        if row is None:
            row = Order(shop_id=shop.id, order_number=o.order_number)
            session.add(row)
        _apply_order(row, o)
        out.append(row)
    await session.flush()
    return out


def _apply_order(row: Order, o: f.OrderFacts) -> None:
    row.platform = o.platform
    row.amount = o.amount
    row.status = o.status
    row.confirmed_at = o.confirmed_at
    row.group_formed_at = o.group_formed_at
    row.ship_by = o.ship_by
    row.can_fulfil = o.can_fulfil
    row.return_address_complete = o.return_address_complete
    row.remote_destination = o.remote_destination
    row.force_majeure_exempt = o.force_majeure_exempt


# -- shipments and tracking events -------------------------------------------------------

_SHIPMENT_FIELDS = (
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


def _event_effects(shipment: f.ShipmentFacts) -> f.ShipmentFacts:
    """A PICKUP event fills an empty pickup time (the earliest pickup scan)."""
    if shipment.picked_up_at is not None:
        return shipment
    pickups = [e.at for e in shipment.events if e.kind is f.TrackingEventKind.PICKUP]
    return dataclasses.replace(shipment, picked_up_at=min(pickups)) if pickups else shipment


def _new_events(
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


def _check_shipment(
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
            issues.append(_inconsistent((*events_at, str(pickup_event), "at"), p))
        elif p.field.startswith("shipment.events["):
            index, _, rest = p.field.removeprefix("shipment.events[").partition("]")
            k = int(index)
            if k < len(new):
                tail = tuple(camel(x) for x in rest.lstrip(".").split(".") if x)
                issues.append(_inconsistent((*events_at, str(new[k][0]), *tail), p))
            else:
                issues.append(_inconsistent(fallback or shipment_path, p, "(stored event)"))
        elif p.field.startswith("shipment.") and fallback is None:
            issues.append(_inconsistent(fact_field(shipment_path, p.field, {"shipment": ""}), p))
        else:
            issues.append(_inconsistent(fallback or shipment_path, p, "(with stored facts)"))
    return _merge(issues)


def _merge(issues: list[Issue]) -> list[Issue]:
    """One issue per field and code, their messages joined."""
    merged: dict[tuple[Path, IssueCode], list[str]] = {}
    for issue in issues:
        merged.setdefault((issue.field, issue.code), []).append(issue.message)
    return [Issue(field, code, "; ".join(msgs)) for (field, code), msgs in merged.items()]


def _add_events(
    session: AsyncSession, shipment: Shipment, new: list[tuple[int, f.TrackingEvent]]
) -> None:
    for _, e in new:
        session.add(
            TrackingEvent(
                shop_id=shipment.shop_id,
                shipment_id=shipment.id,
                at=e.at,
                kind=e.kind,
                place=e.place,
            )
        )


def _signed(order: Order, events: Sequence[f.TrackingEvent]) -> None:
    """A SIGNED event moves a SHIPPED order to SIGNED."""
    if order.status is f.OrderStatus.SHIPPED and any(
        e.kind is f.TrackingEventKind.SIGNED for e in events
    ):
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
    stored_events = await _events(session, order.shop_id, shipment.id) if shipment else []
    merged = data
    if shipment is not None:
        merged = dataclasses.replace(
            data,
            **{
                name: getattr(data, name)
                if getattr(data, name) is not None
                else getattr(shipment, name)
                for name in _SHIPMENT_FIELDS
            },
        )
    new = _new_events(stored_events, data.events)
    all_events = [e for _, e in new] + [
        f.TrackingEvent(at=e.at, kind=e.kind, place=e.place) for e in stored_events
    ]
    merged = _event_effects(dataclasses.replace(merged, events=tuple(all_events)))
    given = data.picked_up_at is not None or (shipment is not None and shipment.picked_up_at)
    _raise_if(_check_shipment(order, merged, stored_events, new, path, given_pickup=bool(given)))

    if shipment is None:
        shipment = Shipment(shop_id=order.shop_id, order_id=order.id)
        session.add(shipment)
    for name in _SHIPMENT_FIELDS:
        setattr(shipment, name, getattr(merged, name))
    await session.flush()
    _add_events(session, shipment, new)
    _signed(order, [e for _, e in new])
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
) -> list[Shipment]:
    """Add carrier events to parcels; all or none. Idempotent: an event already stored
    with the same time and kind is skipped. Effects: the earliest PICKUP event fills an
    empty pickup time; a SIGNED event moves a SHIPPED order to SIGNED.

    A tracking number that several parcels of the shop share names the newest one.
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
    by_id = await queries.by_ids(session, Shipment, shop_id, ids)
    by_number: dict[str, Shipment] = {}
    if numbers:
        rows = (
            await session.execute(
                select(Shipment)
                .where(Shipment.shop_id == shop_id, Shipment.tracking_number.in_(numbers))
                .order_by(Shipment.id)
            )
        ).scalars()
        for row in rows:
            assert row.tracking_number is not None
            by_number[row.tracking_number] = row  # the newest wins

    targets: list[Shipment | None] = []
    for i, e in enumerate(events):
        here = (*path, str(i))
        target: Shipment | None = None
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
    _raise_if(issues)

    groups: dict[int, list[tuple[int, f.TrackingEvent]]] = {}
    shipments: dict[int, Shipment] = {}
    for i, (e, target) in enumerate(zip(events, targets, strict=True)):
        assert target is not None
        shipments.setdefault(target.id, target)
        groups.setdefault(target.id, []).append((i, e.event))
    stored = await queries.events_by_shipment(session, shop_id, list(shipments))
    orders = await queries.by_ids(
        session, Order, shop_id, sorted({s.order_id for s in shipments.values()})
    )

    plans: list[tuple[Shipment, Order, list[tuple[int, f.TrackingEvent]], f.ShipmentFacts]] = []
    for sid, group in groups.items():
        shipment, order = shipments[sid], orders[shipments[sid].order_id]
        old = stored.get(sid, [])
        fresh = _new_events(old, [e for _, e in group])
        new = [(group[k][0], e) for k, e in fresh]  # back to batch indices
        merged = _event_effects(
            dataclasses.replace(
                shipment_facts(shipment, old),
                events=tuple(e for _, e in new) + tuple(shipment_facts(shipment, old).events),
            )
        )
        issues += _check_shipment(
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
    _raise_if(issues)

    for shipment, order, new, merged in plans:
        shipment.picked_up_at = merged.picked_up_at
        _add_events(session, shipment, new)
        _signed(order, [e for _, e in new])
    await session.flush()
    return list(shipments.values())


# -- refund requests --------------------------------------------------------------------


async def create_refund_request(
    session: AsyncSession, order: Order, data: f.RefundFacts, path: Path
) -> RefundRequest:
    """Store a refund request and the kinds of evidence the buyer declared (as BUYER
    evidence captured at the request time, reference ``buyer-declared``)."""
    shop_id = order.shop_id
    exists = (
        await session.execute(
            select(RefundRequest.id).where(
                RefundRequest.shop_id == shop_id, RefundRequest.refund_number == data.refund_number
            )
        )
    ).first()
    if exists is not None:
        raise Rejected(
            [
                Issue(
                    (*path, "refundNumber"),
                    IssueCode.DUPLICATE,
                    f"refund request {data.refund_number} already exists",
                )
            ]
        )
    shipment = await latest_shipment(session, shop_id, order.id)
    sf = (
        shipment_facts(shipment, await _events(session, shop_id, shipment.id)) if shipment else None
    )
    case = f.CaseFacts(order=order_facts(order), shipment=sf, refund=data)
    issues = [
        _inconsistent(fact_field(path, p.field, {"refund": ""}), p)
        if p.field.startswith("refund.")
        else _inconsistent(path, p, "(stored)")
        for p in check_facts(case)
    ]
    _raise_if(issues)

    row = RefundRequest(
        shop_id=shop_id,
        order_id=order.id,
        refund_number=data.refund_number,
        type=data.type,
        reason=data.reason,
        status=data.status,
        requested_at=data.requested_at,
        amount=data.amount,
        refunded_at=data.refunded_at,
        platform_refund=data.platform_refund,
        threatens_review=data.threatens_review,
        free_reissues_given=data.free_reissues_given,
        return_tracking_number=data.return_tracking_number,
        return_to_wrong_address=data.return_to_wrong_address,
    )
    session.add(row)
    await session.flush()
    for kind in sorted(data.buyer_evidence):
        session.add(
            EvidenceItem(
                shop_id=shop_id,
                order_id=order.id,
                refund_request_id=row.id,
                kind=kind,
                source=EvidenceSource.BUYER,
                reference=BUYER_DECLARED,
                captured_at=data.requested_at,
            )
        )
    await session.flush()
    return row


S = f.RefundStatus
TRANSITIONS: dict[f.RefundStatus, frozenset[f.RefundStatus]] = {
    S.PENDING: frozenset({S.AGREED, S.REJECTED, S.REFUNDED, S.CANCELLED}),
    S.AGREED: frozenset({S.REFUNDED, S.CANCELLED}),
    # Re-opened by the buyer, refunded by the platform over the merchant, or withdrawn.
    S.REJECTED: frozenset({S.PENDING, S.REFUNDED, S.CANCELLED}),
    S.REFUNDED: frozenset(),
    S.CANCELLED: frozenset(),
}


async def update_refund_status(
    session: AsyncSession,
    refund: RefundRequest,
    order: Order,
    status: f.RefundStatus,
    at: datetime | None,
    platform_refund: f.PlatformRefundKind | None,
    path: Path,
) -> RefundRequest:
    """Move a refund request along :data:`TRANSITIONS`. REFUNDED needs ``at`` (the
    refund time, not before the request); ``platform_refund`` only with REFUNDED."""
    issues: list[Issue] = []
    if status not in TRANSITIONS[refund.status]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[refund.status])) or "none (final)"
        issues.append(
            Issue(
                (*path, "status"),
                IssueCode.INVALID_TRANSITION,
                f"cannot go from {refund.status.value} to {status.value}; allowed: {allowed}",
            )
        )
    if status is S.REFUNDED and at is None:
        issues.append(Issue((*path, "at"), IssueCode.REQUIRED, "REFUNDED needs the refund time"))
    if status is not S.REFUNDED and at is not None:
        issues.append(
            Issue((*path, "at"), IssueCode.INVALID, "only a REFUNDED status takes a time")
        )
    if platform_refund is not None and status is not S.REFUNDED:
        issues.append(
            Issue((*path, "platformRefund"), IssueCode.INVALID, "only a REFUNDED status takes it")
        )
    _raise_if(issues)
    if at is not None and at < refund.requested_at:
        raise Rejected(
            [
                Issue(
                    (*path, "at"),
                    IssueCode.INCONSISTENT_FACTS,
                    "the refund time precedes the refund request",
                )
            ]
        )
    refund.status = status
    if status is S.REFUNDED:
        refund.refunded_at = at
        refund.platform_refund = platform_refund
    await session.flush()
    return refund


# -- evidence ---------------------------------------------------------------------------


async def attach_evidence(
    session: AsyncSession,
    order: Order,
    refund: RefundRequest | None,
    kind: f.EvidenceKind,
    source: EvidenceSource,
    reference: str,
    captured_at: datetime,
    path: Path,
) -> EvidenceItem:
    if (
        not reference.strip()
        or len(reference) > MAX_REFERENCE
        or any(ord(c) < 32 for c in reference)
    ):
        raise Rejected(
            [
                Issue(
                    (*path, "reference"),
                    IssueCode.INVALID,
                    f"must be 1-{MAX_REFERENCE} printable characters",
                )
            ]
        )
    row = EvidenceItem(
        shop_id=order.shop_id,
        order_id=order.id,
        refund_request_id=refund.id if refund is not None else None,
        kind=kind,
        source=source,
        reference=reference,
        captured_at=captured_at,
    )
    session.add(row)
    await session.flush()
    return row
