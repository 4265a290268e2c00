"""Token storage and the short-lived principal cache."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.config import Settings
from service.db.base import utcnow
from service.db.models import ApiToken, Role
from service.store.tokens import Principal, PrincipalCache, authenticate, hash_token
from tests.conftest import make_shop, make_token


def test_cache_answers_until_the_ttl_then_forgets() -> None:
    cache = PrincipalCache(ttl_s=30)
    who = Principal(token_id=1, shop_id=2, role=Role.AGENT)
    cache.put("aft_x", who, now=100.0)
    assert cache.get("aft_x", now=129.9) == who
    assert cache.get("aft_x", now=130.0) is None
    assert cache.get("aft_other", now=100.0) is None


def test_cache_with_zero_ttl_never_answers() -> None:
    cache = PrincipalCache(ttl_s=0)
    cache.put("aft_x", Principal(token_id=1, shop_id=2, role=Role.AGENT), now=5.0)
    assert cache.get("aft_x", now=5.0) is None


def test_cache_memory_is_bounded() -> None:
    cache = PrincipalCache(ttl_s=30, max_entries=3)
    for i in range(10):
        cache.put(f"aft_{i}", Principal(token_id=i, shop_id=1, role=Role.AGENT), now=0.0)
    assert sum(cache.get(f"aft_{i}", now=1.0) is not None for i in range(10)) <= 3
    assert cache.get("aft_9", now=1.0) is not None


async def test_only_the_digest_is_stored_and_revocation_is_honoured(
    session: AsyncSession, settings: Settings
) -> None:
    # given a token
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.AGENT)
    row = (await session.execute(select(ApiToken))).scalar_one()
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert await authenticate(session, token) is not None
    # when it is revoked
    await session.execute(update(ApiToken).values(revoked_at=utcnow()))
    await session.commit()
    # then it no longer authenticates, and an app that does not cache sees that at once
    assert await authenticate(session, token) is None
    uncached = Settings(database_url=settings.database_url, token_cache_ttl_s=0)
    app = create_app(uncached)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 401
    await app.state.engine.dispose()
