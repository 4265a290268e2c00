"""Case groups and disruptions, as one grouped scan of the stored case states.

A case's carrier is that of its order's latest parcel and its place is the place of
that parcel's latest tracking event (empty when it has none); the refresh copies both
onto the case state (service.store.case_state.whereabouts), with the order's
destination. Open cases are the work queue's (``queue_rank`` set), as of the last refresh.

A disruption (004) has two scenarios, each with its own bulk message: parcels shipped
and stuck at the disrupted place (SHIPPED_NOT_SIGNED), and orders not shipped yet that
are bound for it (UNSHIPPED). An unshipped order has no carrier yet, so it counts
whatever carrier it will go with: its buyer waits on the same blocked deliveries, and
the shop has no record of which carrier it would pick. "Bound for" is its destination
city named in the place (the city without its 市 suffix, ignoring case: 杭州市 lies in
杭州转运中心, Hangzhou in "Hangzhou hub"), as carriers name their centres by city.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import CaseState
from service.decision.outcome import Action

DEFAULT_MIN_PARCELS = 20
SHIPPED_NOT_SIGNED = "SHIPPED_NOT_SIGNED"
UNSHIPPED = "UNSHIPPED"


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
    # SHIPPED_NOT_SIGNED / UNSHIPPED inside a disruption; None otherwise.
    scenario: str | None = None


@dataclass(frozen=True, slots=True)
class Disruption:
    carrier: str
    place: str
    count: int
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class Cell:
    """One row of the grouped scan: the finest grouping, merged into groups in Python."""

    action: Action
    carrier: str
    place: str
    shipped: bool
    city: str
    count: int
    money: Decimal
    due: datetime | None
    scan: datetime | None


async def cells(session: AsyncSession, shop_id: int) -> list[Cell]:
    """The shop's queued case states grouped by action, carrier, place, whether
    shipped and destination city: one scan of the ``ix_case_states_groups`` index."""
    cs = CaseState
    keys = (cs.action, cs.carrier, cs.place, cs.shipped, cs.destination_city)
    stmt = (
        select(
            *keys,
            func.count(),
            func.sum(cs.money_at_risk),
            func.min(cs.due_at),
            func.min(cs.last_scan_at),
        )
        .where(cs.shop_id == shop_id, cs.queue_rank.is_not(None))
        .group_by(*keys)
    )
    return [
        Cell(
            action=Action(str(action)),
            carrier=carrier or "",
            place=place or "",
            shipped=bool(shipped),
            city=city or "",
            count=int(n),
            money=_money(money),
            due=_aware(due),
            scan=_aware(scan),
        )
        for action, carrier, place, shipped, city, n, money, due, scan in (
            await session.execute(stmt)
        ).all()
    ]


def lies_in(city: str, place: str) -> bool:
    """Whether a destination city is the one a carrier's place names (module docstring)."""
    stem = city.strip().removesuffix("市").casefold()
    return bool(stem) and stem in place.casefold()


def _merged(cells: list[Cell], key: Any) -> list[Group]:
    acc: dict[tuple[Action, str, str, str | None], list[Any]] = {}
    for c in cells:
        k = key(c)
        g = acc.get(k)
        if g is None:
            acc[k] = [c.count, c.money, c.due, c.scan]
            continue
        g[0] += c.count
        g[1] += c.money
        g[2] = _least(g[2], c.due)
        g[3] = _least(g[3], c.scan)
    out = [
        Group(a, carrier, place, n, money, due, scan, scenario)
        for (a, carrier, place, scenario), (n, money, due, scan) in acc.items()
    ]
    out.sort(key=lambda g: (-g.count, g.action.value, g.carrier, g.place, g.scenario or ""))
    return out


def group_cells(cells: list[Cell], min_parcels: int = DEFAULT_MIN_PARCELS) -> list[Group]:
    """The cells as caseGroups shows them: by action, carrier and place, with the
    disruptions' scenarios split out; biggest group first."""
    stuck = disruptions_of(
        _merged(cells, lambda c: (c.action, c.carrier, c.place, None)), min_parcels
    )
    disrupted = {(d.carrier, d.place) for d in stuck}

    def key(c: Cell) -> tuple[Action, str, str, str | None]:
        if c.shipped:
            hit = c.action is Action.CONTACT_CARRIER and (c.carrier, c.place) in disrupted
            return (c.action, c.carrier, c.place, SHIPPED_NOT_SIGNED if hit else None)
        for d in stuck:  # biggest disruption first
            if c.city and lies_in(c.city, d.place):
                return (c.action, d.carrier, d.place, UNSHIPPED)
        return (c.action, c.carrier, c.place, None)

    return _merged(cells, key)


def _least(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    return a if b is None or a <= b else b


async def groups(
    session: AsyncSession, shop_id: int, min_parcels: int = DEFAULT_MIN_PARCELS
) -> list[Group]:
    """The open queue grouped (see :func:`group_cells`)."""
    return group_cells(await cells(session, shop_id), min_parcels)


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
        if g.scenario == UNSHIPPED:
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
    return disruptions_of(await groups(session, shop_id, min_parcels), min_parcels)
