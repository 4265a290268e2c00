"""Declaring, revoking and listing a shop's force-majeure exemptions (004 §4).

Which cases an exemption covers is the decision module's rule
(:mod:`service.decision.exemptions`); here the rows are kept, and the case states an
exemption may change are marked stale so the refresher and the next read recompute
them under the shop's new set of exemptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import CaseState, Exemption
from service.decision.facts import ExemptionFacts
from service.store.case_state import EPOCH
from service.store.facts import exemption_facts


async def standing(session: AsyncSession, shop_id: int) -> list[ExemptionFacts]:
    """The shop's exemptions not revoked, oldest first."""
    rows = await session.scalars(
        select(Exemption)
        .where(Exemption.shop_id == shop_id, Exemption.revoked_at.is_(None))
        .order_by(Exemption.id)
    )
    return [exemption_facts(r) for r in rows]


async def listing(session: AsyncSession, shop_id: int, revoked: bool) -> Sequence[Exemption]:
    """The shop's exemptions, oldest first; revoked ones only when asked for."""
    stmt = select(Exemption).where(Exemption.shop_id == shop_id).order_by(Exemption.id)
    if not revoked:
        stmt = stmt.where(Exemption.revoked_at.is_(None))
    return (await session.scalars(stmt)).all()


async def declare(
    session: AsyncSession,
    shop_id: int,
    carrier: str,
    province: str,
    city: str | None,
    starts_at: datetime,
    ends_at: datetime,
    reference: str,
) -> Exemption:
    """Store a new exemption and mark the states it may cover stale."""
    row = Exemption(
        shop_id=shop_id,
        carrier=carrier,
        province=province,
        city=city,
        starts_at=starts_at,
        ends_at=ends_at,
        reference=reference,
    )
    session.add(row)
    await session.flush()
    await _restale(session, row)
    return row


async def revoke(session: AsyncSession, row: Exemption, now: datetime) -> Exemption:
    """Revoke an exemption (kept for the record) and mark the states it covered stale."""
    if row.revoked_at is None:
        row.revoked_at = now
        await session.flush()
        await _restale(session, row)
    return row


def _norm(column: Any) -> Any:
    return func.lower(func.trim(column))


async def _restale(session: AsyncSession, ex: Exemption) -> None:
    """Mark stale the shop's states whose parcel carrier and destination match the
    exemption's; the period is left to the decision (a handful of extra rows at most).

    The states carry the carrier and destination (copied at refresh), so this is one
    UPDATE on one table. Names compare trimmed and lower-cased, as the decision
    module compares them (it casefolds; the carriers and places are Chinese or ASCII,
    where both agree)."""
    cond: list[Any] = [
        CaseState.shop_id == ex.shop_id,
        _norm(CaseState.carrier) == ex.carrier.strip().lower(),
        _norm(CaseState.destination_province) == ex.province.strip().lower(),
    ]
    if ex.city is not None:
        cond.append(_norm(CaseState.destination_city) == ex.city.strip().lower())
    await session.execute(
        update(CaseState)
        .where(*cond)
        .values(stale_at=EPOCH)
        .execution_options(synchronize_session=False)
    )
