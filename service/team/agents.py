"""Named agents: created and deactivated by a shop's admins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Agent, ApiToken, CaseClaim, Role, Shop
from service.store.tokens import create_token

# Roles a person can have; integration tokens belong to systems, not people.
AGENT_ROLES = (Role.AGENT, Role.ADMIN)


async def create_agent(
    session: AsyncSession, shop: Shop, display_name: str, role: Role
) -> tuple[Agent, str]:
    """A new active agent and their first token (in clear, shown this once)."""
    if role not in AGENT_ROLES:
        raise ValueError(f"an agent's role is agent or admin, not {role.value}")
    agent = Agent(shop_id=shop.id, display_name=display_name, role=role, active=True)
    session.add(agent)
    await session.flush()
    token = await create_token(session, shop, role, f"agent:{agent.id}", agent_id=agent.id)
    return agent, token


async def deactivate(session: AsyncSession, agent: Agent, now: datetime) -> None:
    """Mark the agent inactive, revoke every live token of theirs and end their claims.

    Replicas that cached a token keep accepting it for at most the token cache's TTL
    (see service.store.tokens.PrincipalCache)."""
    if agent.active:
        agent.active = False
        agent.deactivated_at = now
    await session.execute(
        update(ApiToken)
        .where(ApiToken.agent_id == agent.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    # Their cases go back to the queue at once rather than when the leases run out.
    await session.execute(delete(CaseClaim).where(CaseClaim.agent_id == agent.id))
    await session.flush()


async def agent_of(session: AsyncSession, shop_id: int, agent_id: int) -> Agent | None:
    """The shop's agent with this id; None for another shop's."""
    row = await session.get(Agent, agent_id)
    return row if row is not None and row.shop_id == shop_id else None


async def agents_of(
    session: AsyncSession, shop_id: int, ids: Sequence[int] | None = None
) -> list[Agent]:
    """The shop's agents (those with ``ids`` when given), oldest first."""
    stmt = select(Agent).where(Agent.shop_id == shop_id)
    if ids is not None:
        stmt = stmt.where(Agent.id.in_(list(ids)))
    return list((await session.execute(stmt.order_by(Agent.id))).scalars().all())
