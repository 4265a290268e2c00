"""Per-token buckets of query-cost points: 429 with Retry-After when empty, shared
between replicas through Redis."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.app import create_app
from service.config import Settings
from service.limits.bucket import CostBuckets
from service.store.tokens import authenticate
from tests.conftest import make_shop, make_token
from tests.factories import NOW
from tests.graphql.helpers import count_statements

REDIS_URL = os.environ.get("AFTERSALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PAGE = "{ orders(first: 20) { nodes { id } } }"  # costs 2 + 20 = 22


def client_for(settings: Settings, engine: AsyncEngine, **overrides: Any) -> httpx.AsyncClient:
    app = create_app(settings.model_copy(update=overrides), engine=engine, clock=lambda: NOW)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def ask(client: httpx.AsyncClient, token: str, query: str = PAGE) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.fixture
async def token(session: AsyncSession) -> str:
    return await make_token(session, await make_shop(session))


async def test_answers_report_their_cost_and_the_bucket(
    settings: Settings, engine: AsyncEngine, token: str
) -> None:
    async with client_for(settings, engine, rate_limit_points=100) as client:
        first = await ask(client, token)
        second = await ask(client, token)
    cost = second.json()["extensions"]["cost"]
    assert first.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 78
    assert cost == {
        "requestedQueryCost": 22,
        "actualQueryCost": 2,  # no orders: the connection alone
        "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 56, "restoreRate": 50},
    }


async def test_an_empty_bucket_answers_429_with_retry_after(
    settings: Settings, engine: AsyncEngine, token: str, session: AsyncSession
) -> None:
    # given a bucket of 50 points refilling 1 point/s, and another token of the shop
    other = await make_token(session, await make_shop(session, "b"))
    async with client_for(
        settings, engine, rate_limit_points=50, rate_limit_restore_per_s=1
    ) as client:
        # when the token asks three times for 22 points
        answers = [await ask(client, token) for _ in range(3)]
        cheap = await ask(client, token, "{ shop { slug } }")
        elsewhere = await ask(client, other)
    # then the third is refused until enough points are back; the bucket is per token
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "THROTTLED"
    assert error["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 6
    assert 16 <= int(refused.headers["retry-after"]) <= 50
    assert cheap.status_code == 200  # 1 point still fits
    assert elsewhere.status_code == 200


async def test_a_query_over_the_maximum_cost_is_refused_before_it_runs(
    settings: Settings, engine: AsyncEngine, token: str
) -> None:
    async with client_for(settings, engine, query_max_cost=100) as client:
        response = await ask(client, token, "{ orders(first: 100) { nodes { id } } }")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {
        "code": "MAX_COST_EXCEEDED",
        "cost": {"requestedQueryCost": 102, "maximumQueryCost": 100},
    }


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    buckets = CostBuckets(10, 1, REDIS_URL)
    assert buckets.storage is not None
    try:
        await buckets.storage.check() or pytest.skip(f"no Redis at {REDIS_URL}")
    except Exception as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield REDIS_URL


async def test_replicas_share_a_bucket_through_redis(
    settings: Settings, engine: AsyncEngine, token: str, session: AsyncSession, redis_url: str
) -> None:
    # given two replicas sharing Redis, and a clean bucket for the token
    principal = await authenticate(session, token)
    assert principal is not None
    shared = CostBuckets(50, 1, redis_url)
    await shared.clear(f"token:{principal.token_id}")
    overrides = {"rate_limit_points": 50, "rate_limit_restore_per_s": 1, "redis_url": redis_url}
    async with (
        client_for(settings, engine, **overrides) as one,
        client_for(settings, engine, **overrides) as two,
    ):
        # when each spends from it
        answers = [await ask(one, token), await ask(two, token), await ask(one, token)]
        # then the second replica saw the first one's spending
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[1].json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 6
    await shared.clear(f"token:{principal.token_id}")


async def test_refusals_for_cost_run_no_sql(
    settings: Settings, engine: AsyncEngine, token: str
) -> None:
    # given a replica that has already checked the token (it is cached)
    async with client_for(
        settings, engine, rate_limit_points=30, rate_limit_restore_per_s=1, query_max_cost=100
    ) as client:
        assert (await ask(client, token)).status_code == 200
        # when a query over the maximum, then one the bucket cannot pay, arrive
        with count_statements(engine) as statements:
            too_costly = await ask(client, token, "{ orders(first: 100) { nodes { id } } }")
            throttled = await ask(client, token)
    # then both are refused before any SQL
    assert (too_costly.status_code, throttled.status_code) == (400, 429)
    assert statements == []


async def test_a_replicas_endpoints_draw_from_one_bucket(
    settings: Settings, engine: AsyncEngine, token: str
) -> None:
    # given a bucket of 50 points, and the federation endpoint next to /graphql
    async with client_for(
        settings, engine, rate_limit_points=50, rate_limit_restore_per_s=1
    ) as client:
        headers = {"Authorization": f"Bearer {token}"}
        # when the token spends 22 points on each endpoint, then 22 more on the other
        answers = [
            await ask(client, token),
            await client.post("/subgraph", json={"query": PAGE}, headers=headers),
            await client.post("/subgraph", json={"query": PAGE}, headers=headers),
        ]
    # then the third is refused: calling both endpoints does not double the rate
    assert [a.status_code for a in answers] == [200, 200, 429]
    status = answers[1].json()["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] == 6
