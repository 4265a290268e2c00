"""Case events for what the team does: a case claimed, a claim ended, an action recorded.

They go out as the decision events do (webhooks and the ``caseEvents`` subscription),
written in the transaction of the change, so that every workbench open on the shop's
queue shows a colleague's claim or recorded action as it happens: with its websocket
up, a workbench does not poll. Each event names the case and the agent.

Their dedup keys make them once-only where the change is: a claim's event is keyed by
the claim's start, which a renewal keeps (renewing writes nothing), an ended claim's
by the same start, and a recorded action's by its record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.lists import dialect_of, ids_in
from service.db.models import ActionRecord, RefundRequest
from service.events import outbox, types
from service.graphql.relay import to_global_id
from service.team.claims import ORDER, REFUND_REQUEST, CaseKey, Hold


async def _orders_of(session: AsyncSession, keys: Sequence[CaseKey]) -> dict[CaseKey, int]:
    """Each case's order id (a refund case's is its refund request's order)."""
    out = {k: k.entity_id for k in keys if k.kind != REFUND_REQUEST}
    refunds = sorted({k.entity_id for k in keys if k.kind == REFUND_REQUEST})
    if refunds:
        rows = await session.execute(
            select(RefundRequest.id, RefundRequest.order_id).where(
                ids_in(RefundRequest.id, refunds, dialect_of(session))
            )
        )
        order_of: dict[int, int] = {pk: order for pk, order in rows.all()}
        out.update({k: order_of[k.entity_id] for k in keys if k.kind == REFUND_REQUEST})
    return out


def _event(
    shop_id: int, kind: str, key: CaseKey, order_id: int, dedup: str, now: datetime, extra: Any
) -> dict[str, Any]:
    refund = key.entity_id if key.kind == REFUND_REQUEST else None
    data = {
        "caseKind": key.kind,
        "orderId": to_global_id("Order", order_id),
        "refundRequestId": to_global_id("RefundRequest", refund) if refund else None,
        **extra,
    }
    return outbox.event(shop_id, kind, f"{key.kind}:{key.entity_id}", dedup, now, data)


async def _write(session: AsyncSession, events: list[dict[str, Any]], now: datetime) -> None:
    await session.run_sync(lambda s: outbox.write(s, events, now))


def _agent(agent_id: int | None) -> str | None:
    return to_global_id("Agent", agent_id) if agent_id is not None else None


def _holder(hold: Hold, actor: int | None) -> dict[str, Any]:
    # The holder, and who made the move (an admin's hand-over or release; null for a
    # shop-level token): a workbench skips the moves its own agent made.
    return {
        "agentId": _agent(hold.agent_id),
        "agentName": hold.agent_name,
        "actorAgentId": _agent(actor),
    }


async def claimed(
    session: AsyncSession, shop_id: int, hold: Hold, actor: int | None, now: datetime
) -> None:
    """The case is held by ``hold``'s agent from ``hold.claimed_at``, by ``actor``'s
    doing: announced once per claim (a renewal keeps the claim's start, so it writes
    nothing)."""
    key = hold.key
    order_id = (await _orders_of(session, [key]))[key]
    dedup = f"claimed:{key.kind}:{key.entity_id}:{hold.agent_id}:{outbox.iso(hold.claimed_at)}"
    extra = {
        **_holder(hold, actor),
        "claimedAt": outbox.iso(hold.claimed_at),
        "expiresAt": outbox.iso(hold.expires_at),
    }
    await _write(
        session, [_event(shop_id, types.CASE_CLAIMED, key, order_id, dedup, now, extra)], now
    )


async def released(
    session: AsyncSession, shop_id: int, hold: Hold, actor: int | None, now: datetime
) -> None:
    """The live claim ``hold`` was ended by its holder or an admin (``actor``)."""
    key = hold.key
    order_id = (await _orders_of(session, [key]))[key]
    dedup = f"released:{key.kind}:{key.entity_id}:{hold.agent_id}:{outbox.iso(hold.claimed_at)}"
    extra = _holder(hold, actor)
    event = _event(shop_id, types.CLAIM_RELEASED, key, order_id, dedup, now, extra)
    await _write(session, [event], now)


async def actions_recorded(
    session: AsyncSession, shop_id: int, records: Sequence[ActionRecord], now: datetime
) -> None:
    """An action was recorded on each of these cases (which leave the queue, their
    claims ended)."""
    events = []
    for r in records:
        refund = r.refund_request_id
        key = CaseKey(REFUND_REQUEST, refund) if refund is not None else CaseKey(ORDER, r.order_id)
        extra = {
            "actionRecordId": to_global_id("ActionRecord", r.id),
            "takenAction": r.taken_action.value,
            "recommendedAction": r.recommended_action.value,
            "ruleId": r.rule_id,
            "overridden": r.overridden,
            "agentId": _agent(r.actor_agent_id),
            "actorAgentId": _agent(r.actor_agent_id),
        }
        dedup = f"action:{r.id}"
        events.append(_event(shop_id, types.ACTION_RECORDED, key, r.order_id, dedup, now, extra))
    if events:
        await _write(session, events, now)
