"""``viewer`` and ``agents``: who is calling, and who is on the team."""

from __future__ import annotations

from service.graphql.context import Info
from service.graphql.types.agent import AgentType, TokenRole, Viewer
from service.team import agents


async def viewer(info: Info) -> Viewer:
    ctx = info.context
    agent = None
    if ctx.principal.agent_id is not None:
        async with ctx.db_lock:
            row = await agents.agent_of(ctx.session, ctx.shop_id, ctx.principal.agent_id)
        agent = AgentType.from_model(row) if row is not None else None
    return Viewer(role=TokenRole(ctx.principal.role.value), agent=agent)


async def agent_list(info: Info) -> list[AgentType]:
    ctx = info.context
    async with ctx.db_lock:
        rows = await agents.agents_of(ctx.session, ctx.shop_id)
    return [AgentType.from_model(r) for r in rows]
