"""Case groups and disruptions, as grouped SQL over the stored case states.

A case's carrier is that of its order's latest parcel and its place is the place of
that parcel's latest tracking event (empty when it has none). Open cases are the work
queue's (``queue_rank`` set), as of the last refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import CaseState, Shipment, TrackingEvent
from service.decision.outcome import Action

DEFAULT_MIN_PARCELS = 20
SHIPPED_NOT_SIGNED = "SHIPPED_NOT_SIGNED"


@dataclass(frozen=True, slots=True)
class Group:
    action: Action
    carrier: str
    place: str
    count: int
    money_at_risk: Decimal
    soonest_due: datetime | None
    # The oldest last scan among the items' parcels (None when none was scanned).
    first_scan: datetime | None = None


@dataclass(frozen=True, slots=True)
class Disruption:
    carrier: str
    place: str
    count: int
    first_seen: datetime


def _located(shop_id: int) -> Any:
    """The shop's queued case states with their carrier, place and last scan time."""
    latest = (
        select(Shipment.id)
        .where(Shipment.order_id == CaseState.order_id, Shipment.shop_id == shop_id)
        .order_by(Shipment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    shipment = (
        select(CaseState.id.label("state_id"), latest.label("shipment_id"))
        .where(CaseState.shop_id == shop_id, CaseState.queue_rank.is_not(None))
        .subquery()
    )

    def last_event(column: Any) -> Any:
        return (
            select(column)
            .where(TrackingEvent.shipment_id == shipment.c.shipment_id)
            .order_by(TrackingEvent.at.desc(), TrackingEvent.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    return (
        select(
            CaseState.action.label("action"),
            CaseState.money_at_risk.label("money"),
            CaseState.due_at.label("due_at"),
            func.coalesce(Shipment.carrier, "").label("carrier"),
            func.coalesce(last_event(TrackingEvent.place), "").label("place"),
            last_event(TrackingEvent.at).label("last_scan"),
        )
        .select_from(shipment)
        .join(CaseState, CaseState.id == shipment.c.state_id)
        .outerjoin(Shipment, Shipment.id == shipment.c.shipment_id)
        .subquery()
    )


async def groups(session: AsyncSession, shop_id: int) -> list[Group]:
    """The open queue grouped by action, carrier and place, biggest group first."""
    cases = _located(shop_id)
    stmt = (
        select(
            cases.c.action,
            cases.c.carrier,
            cases.c.place,
            func.count(),
            func.coalesce(func.sum(cases.c.money), 0),
            func.min(cases.c.due_at),
            func.min(cases.c.last_scan),
        )
        .group_by(cases.c.action, cases.c.carrier, cases.c.place)
        .order_by(func.count().desc(), cases.c.action, cases.c.carrier, cases.c.place)
    )
    out = []
    for action, carrier, place, count, money, due, scan in (await session.execute(stmt)).all():
        out.append(
            Group(
                action=Action(str(action)),
                carrier=str(carrier),
                place=str(place),
                count=int(count),
                money_at_risk=_money(money),
                soonest_due=_aware(due),
                first_scan=_aware(scan),
            )
        )
    return out


def _money(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    # An empty sum's COALESCE 0 (or a driver that skipped the type) comes back in cents.
    return (Decimal(int(value or 0)) / 100).quantize(Decimal("0.01"))


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back aggregates of datetimes as text
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def disruptions_of(found: list[Group], min_parcels: int = DEFAULT_MIN_PARCELS) -> list[Disruption]:
    """Places where at least ``min_parcels`` open parcels of one carrier are stuck: the
    groups of cases whose decision is to chase the carrier, by last-scan place."""
    out = []
    for g in found:
        if g.action is not Action.CONTACT_CARRIER or not g.carrier or not g.place:
            continue
        if g.count < min_parcels:
            continue
        assert g.first_scan is not None  # a place comes from a scan, which has a time
        out.append(Disruption(g.carrier, g.place, g.count, g.first_scan))
    return sorted(out, key=lambda d: (-d.count, d.carrier, d.place))


async def disruptions(
    session: AsyncSession, shop_id: int, min_parcels: int = DEFAULT_MIN_PARCELS
) -> list[Disruption]:
    """The shop's disruptions (see ``disruptions_of``)."""
    return disruptions_of(await groups(session, shop_id), min_parcels)
