"""Arranging a team: a shop, its agents and their tokens, and an app with a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.app import create_app
from service.config import Settings
from service.db.models import Role, Shop
from service.graphql.relay import to_global_id
from service.team import agents
from tests.factories import NOW


class Clock:
    """The injected clock of an app: every request's "now", moved by the test."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def make_agent(
    session: AsyncSession, shop: Shop, name: str, role: Role = Role.AGENT
) -> tuple[str, str]:
    """A new agent's global id and token."""
    agent, token = await agents.create_agent(session, shop, name, role)
    await session.commit()
    return to_global_id("Agent", agent.id), token


@asynccontextmanager
async def clocked_client(
    settings: Settings, engine: AsyncEngine, clock: Clock, **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update=overrides), engine=engine, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
