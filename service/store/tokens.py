"""API tokens: created once, shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Agent, ApiToken, Role, Shop

TOKEN_PREFIX = "aft_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the shop the token belongs to and what it may do."""

    token_id: int
    shop_id: int
    role: Role
    # The named agent the token identifies; None for shop-level tokens.
    agent_id: int | None = None

    @property
    def can_read(self) -> bool:
        return self.role in (Role.AGENT, Role.ADMIN, Role.INTEGRATION)

    @property
    def can_record_actions(self) -> bool:
        return self.role in (Role.AGENT, Role.ADMIN)

    @property
    def can_ingest(self) -> bool:
        return self.role in (Role.INTEGRATION, Role.ADMIN)

    @property
    def can_administer(self) -> bool:
        return self.role is Role.ADMIN


def hash_token(token: str) -> str:
    # Tokens are 32 random bytes, so a fast unsalted digest is enough: there is
    # nothing to brute-force that a slow KDF would protect.
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    session: AsyncSession, shop: Shop, role: Role, name: str, agent_id: int | None = None
) -> str:
    """Store a new token for the shop (and agent, if given) and return it in clear (the
    only time it is)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            shop_id=shop.id,
            name=name,
            role=role,
            token_hash=hash_token(token),
            prefix=token[: len(TOKEN_PREFIX) + 6],
            agent_id=agent_id,
        )
    )
    await session.flush()
    return token


async def authenticate(session: AsyncSession, token: str) -> Principal | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        await session.execute(
            select(ApiToken.id, ApiToken.shop_id, ApiToken.role, ApiToken.agent_id)
            .outerjoin(Agent, Agent.id == ApiToken.agent_id)
            .where(
                ApiToken.token_hash == hash_token(token),
                ApiToken.revoked_at.is_(None),
                # A deactivated agent's tokens stop working even if one escaped revocation.
                or_(ApiToken.agent_id.is_(None), Agent.active.is_(True)),
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return Principal(token_id=row.id, shop_id=row.shop_id, role=row.role, agent_id=row.agent_id)


async def revoke_named(session: AsyncSession, shop: Shop, name: str) -> None:
    """Revoke the shop's live tokens with this label (the demo token is replaced on
    every ``serve --demo``)."""
    from sqlalchemy import update

    from service.db.base import utcnow

    await session.execute(
        update(ApiToken)
        .where(ApiToken.shop_id == shop.id, ApiToken.name == name, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


class PrincipalCache:
    """Remembers recent token → principal lookups for a short time, so services that
    call the API in their hot path do not pay a database round trip per request.

    A revoked token keeps working on a replica for at most ``ttl_s`` seconds.
    """

    def __init__(self, ttl_s: float = 30.0, max_entries: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token: str, now: float) -> Principal | None:
        entry = self._entries.get(hash_token(token))
        if entry is None or entry[0] <= now:
            return None
        return entry[1]

    def put(self, token: str, principal: Principal, now: float) -> None:
        if len(self._entries) >= self.max_entries:
            # Drop the expired ones first; if none are, start over (bounded memory).
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[hash_token(token)] = (now + self.ttl_s, principal)
