"""Claims: which agent works a case, until when.

A claim is one row per case (unique on kind and entity). Taking it is one
``INSERT … ON CONFLICT DO UPDATE … WHERE`` statement: the update happens only when the
stored lease has expired or the claimer already holds it. On PostgreSQL a concurrent
claimer blocks on the row the winner wrote, re-checks the condition once the winner
commits, and gets no row back; so of any number of concurrent claims exactly one wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.base import utcnow
from service.db.lists import dialect_of, ids_in
from service.db.models import Agent, CaseClaim, Order, RefundRequest

DEFAULT_LEASE = timedelta(minutes=15)

ORDER = "ORDER"
REFUND_REQUEST = "REFUND_REQUEST"


@dataclass(frozen=True, slots=True)
class CaseKey:
    """A case as the work queue names it: ``ORDER`` + order id, or ``REFUND_REQUEST``
    + refund request id."""

    kind: str
    entity_id: int


@dataclass(frozen=True, slots=True)
class Hold:
    """A live claim: the holder and the lease."""

    key: CaseKey
    agent_id: int
    agent_name: str
    claimed_at: datetime
    expires_at: datetime


def key_of(order: Order, refund: RefundRequest | None) -> CaseKey:
    """The queue case of an order, or of a refund request on it."""
    if refund is not None:
        return CaseKey(REFUND_REQUEST, refund.id)
    return CaseKey(ORDER, order.id)


class ClaimedByOther(Exception):
    def __init__(self, hold: Hold) -> None:
        super().__init__(f"claimed by {hold.agent_name} until {hold.expires_at.isoformat()}")
        self.hold = hold


def _insert(session: AsyncSession) -> Any:
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(CaseClaim)


async def _take(
    session: AsyncSession,
    shop_id: int,
    key: CaseKey,
    agent_id: int,
    now: datetime,
    lease: timedelta,
    force: bool,
) -> bool:
    stamp = utcnow()
    stmt = _insert(session).values(
        shop_id=shop_id,
        kind=key.kind,
        entity_id=key.entity_id,
        agent_id=agent_id,
        claimed_at=now,
        expires_at=now + lease,
        created_at=stamp,
        updated_at=stamp,
    )
    excluded = stmt.excluded
    # A renewal keeps the original claim time; a takeover starts a new one.
    same = CaseClaim.agent_id == excluded.agent_id
    stmt = stmt.on_conflict_do_update(
        index_elements=[CaseClaim.kind, CaseClaim.entity_id],
        set_={
            "agent_id": excluded.agent_id,
            "expires_at": excluded.expires_at,
            "updated_at": excluded.updated_at,
            "claimed_at": case((same, CaseClaim.claimed_at), else_=excluded.claimed_at),
        },
        where=None if force else or_(CaseClaim.expires_at <= now, same),
    ).returning(CaseClaim.agent_id)
    row = (await session.execute(stmt)).first()
    return row is not None


async def claim(
    session: AsyncSession,
    shop_id: int,
    key: CaseKey,
    agent_id: int,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> Hold:
    """Claim the case for the agent, or renew the agent's claim, for ``lease`` from
    ``now``; ``ClaimedByOther`` when another agent holds a live claim."""
    if not await _take(session, shop_id, key, agent_id, now, lease, force=False):
        hold = (await holds(session, shop_id, [key], now)).get(key)
        if hold is None:  # expired between the two statements: cannot, now is fixed
            raise RuntimeError("claim refused but no live holder")
        raise ClaimedByOther(hold)
    return (await holds(session, shop_id, [key], now))[key]


async def reassign(
    session: AsyncSession,
    shop_id: int,
    key: CaseKey,
    agent_id: int,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> Hold:
    """Give the case to the agent whoever holds it (an admin's hand-over)."""
    await _take(session, shop_id, key, agent_id, now, lease, force=True)
    return (await holds(session, shop_id, [key], now))[key]


async def release(
    session: AsyncSession, shop_id: int, key: CaseKey, agent_id: int | None, now: datetime
) -> Hold | None:
    """End the claim on the case: the agent's own (``agent_id``), or any (None, for an
    admin); the live claim it ended. ``ClaimedByOther`` when the case is held live by
    someone else; None when there was no live claim to end."""
    hold = (await holds(session, shop_id, [key], now)).get(key)
    if hold is not None and agent_id is not None and hold.agent_id != agent_id:
        raise ClaimedByOther(hold)
    await end(session, shop_id, [key])
    return hold


async def end(session: AsyncSession, shop_id: int, keys: Iterable[CaseKey]) -> None:
    """Drop the claims on these cases (an action was recorded on them)."""
    by_kind: dict[str, list[int]] = {}
    for k in keys:
        by_kind.setdefault(k.kind, []).append(k.entity_id)
    if not by_kind:
        return
    # An id list per kind (one array each on PostgreSQL, see service.db.lists) rather
    # than a (kind, id) IN list: 500 pairs were 1,000 parameters rendered per call.
    dialect = dialect_of(session)
    await session.execute(
        delete(CaseClaim).where(
            CaseClaim.shop_id == shop_id,
            or_(
                *(
                    and_(CaseClaim.kind == kind, ids_in(CaseClaim.entity_id, ids, dialect))
                    for kind, ids in sorted(by_kind.items())
                )
            ),
        )
    )


async def holds(
    session: AsyncSession, shop_id: int, keys: Iterable[CaseKey], now: datetime
) -> dict[CaseKey, Hold]:
    """The live claims on these cases, with the holder's name, in one query."""
    wanted = list(keys)
    if not wanted:
        return {}
    stmt = (
        select(CaseClaim, Agent.display_name)
        .join(Agent, Agent.id == CaseClaim.agent_id)
        .where(
            CaseClaim.shop_id == shop_id,
            CaseClaim.expires_at > now,
            tuple_(CaseClaim.kind, CaseClaim.entity_id).in_(
                [(k.kind, k.entity_id) for k in wanted]
            ),
        )
    )
    out: dict[CaseKey, Hold] = {}
    for row, name in (await session.execute(stmt)).all():
        key = CaseKey(row.kind, row.entity_id)
        out[key] = Hold(key, row.agent_id, name, row.claimed_at, row.expires_at)
    return out
