"""The per-replica shop policy cache and the lazy session: a warm ``recommend``
touches no database, a read-only request never commits, and a policy change reaches
another replica within the cache's bound (at once on the replica that made it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.app import create_app
from service.config import Settings
from service.db.models import Role
from service.store.policy_cache import PolicyCache
from tests.conftest import make_shop, make_token
from tests.factories import NOW
from tests.graphql.helpers import count_statements, gql

RECOMMEND = """
query Recommend($case: CaseInput!) {
  recommend(case: $case) { decision { ruleId policyVersion } userErrors { code } }
}
"""
CASE = {
    "order": {
        "orderNumber": "PO-1",
        "platform": "PDD",
        "amount": "100.00",
        "status": "SHIPPED",
        "confirmedAt": "2026-11-23T08:00:00+08:00",
    },
}
SET_COUPON = """
mutation { updateShopPolicy(input: {couponAmount: "7.00"}) { userErrors { code } } }
"""
PAGE = "{ refundRequests(first: 5) { edges { node { refundNumber } } } }"


@contextmanager
def count_commits(engine: AsyncEngine) -> Iterator[list[str]]:
    ends: list[str] = []

    def commit(*_: Any) -> None:
        ends.append("commit")

    def rollback(*_: Any) -> None:
        ends.append("rollback")

    event.listen(engine.sync_engine, "commit", commit)
    event.listen(engine.sync_engine, "rollback", rollback)
    try:
        yield ends
    finally:
        event.remove(engine.sync_engine, "commit", commit)
        event.remove(engine.sync_engine, "rollback", rollback)


async def _version(client: httpx.AsyncClient, token: str) -> str:
    body = await gql(client, token, RECOMMEND, {"case": CASE})
    decision = body["data"]["recommend"]["decision"]
    assert decision is not None, body
    return str(decision["policyVersion"])


async def test_a_warm_recommend_makes_no_sql_statement(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given a token and a shop policy this replica has already read
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await _version(client, token)
    # when recommend is asked again
    with count_statements(engine) as statements, count_commits(engine) as ends:
        body = await gql(client, token, RECOMMEND, {"case": CASE})
    # then it answers without a single statement, nor a transaction
    assert body["data"]["recommend"]["decision"]["ruleId"]
    assert statements == []
    assert ends == []


async def test_a_read_only_request_never_commits(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given a shop with a cached token
    token = await make_token(session, await make_shop(session), Role.ADMIN)
    await _version(client, token)
    # when a page is read, and then a mutation writes
    with count_statements(engine) as statements, count_commits(engine) as read:
        await gql(client, token, PAGE)
    with count_commits(engine) as write:
        await gql(client, token, SET_COUPON)
    # then the read ran SQL but ended with a rollback; only the write committed
    assert statements
    assert "commit" not in read
    assert write == ["commit"]


async def test_the_replica_that_changes_the_policy_uses_it_at_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a shop whose base policy this replica has cached
    token = await make_token(session, await make_shop(session), Role.ADMIN)
    assert await _version(client, token) == "2026.11.1"
    # when it sets a coupon override
    await gql(client, token, SET_COUPON)
    # then its next decision already uses the shop policy
    assert await _version(client, token) == "2026.11.1+shop"


@pytest.fixture
async def second_replica(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Any]:
    """Another app instance over the same database, with its own caches."""
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield app, client


async def test_another_replica_sees_a_policy_change_within_the_cache_bound(
    client: httpx.AsyncClient,
    session: AsyncSession,
    engine: AsyncEngine,
    second_replica: Any,
) -> None:
    # given a second replica whose cache runs on a clock the test moves
    app_b, client_b = second_replica
    cache: PolicyCache = app_b.state.policy_cache
    moment = [1000.0]
    cache.clock = lambda: moment[0]
    token = await make_token(session, await make_shop(session), Role.ADMIN)
    assert await _version(client_b, token) == "2026.11.1"
    # when the first replica changes the policy
    await gql(client, token, SET_COUPON)
    # then the second keeps its cached policy, without SQL, until the bound passes...
    moment[0] += cache.ttl_s - 0.001
    with count_statements(engine) as statements:
        assert await _version(client_b, token) == "2026.11.1"
    assert statements == []
    # ...and uses the new one once it has
    moment[0] += 0.002
    assert await _version(client_b, token) == "2026.11.1+shop"


async def test_an_unchanged_policy_is_revalidated_with_one_statement(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine, app: Any
) -> None:
    # given a cached policy whose time is up, and no change since
    cache: PolicyCache = app.state.policy_cache
    moment = [1000.0]
    cache.clock = lambda: moment[0]
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.INTEGRATION)
    await _version(client, token)
    before = cache.get(shop.id)
    moment[0] += cache.ttl_s + 1
    # when recommend is asked
    with count_statements(engine) as statements:
        await _version(client, token)
    # then one statement read the version, and the entry built before is kept
    assert len(statements) == 1 and "policy_version" in statements[0]
    assert cache.get(shop.id) is before
