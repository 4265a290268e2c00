"""Idempotency-Key: a retried mutation is replayed, never run twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.app import create_app
from service.config import Settings
from service.db.engine import create_sessionmaker
from service.db.models import ActionRecord, IdempotencyKey, Role
from service.housekeeping import purge_once
from service.store.idempotency import lock_id, purge_expired
from tests.conftest import make_shop, make_token
from tests.factories import NOW
from tests.graphql.helpers import count_rows, seed_order_and_refund

RECORD = """
mutation Record($refundId: ID!, $note: String) {
  recordAction(input: {refundRequestId: $refundId, takenAction: NO_ACTION, note: $note}) {
    actionRecord { id note }
    userErrors { field code message }
  }
}
"""


async def post(
    client: httpx.AsyncClient, token: str, key: str | None, variables: dict[str, Any]
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post(
        "/graphql", json={"query": RECORD, "variables": variables}, headers=headers
    )


async def seeded(client: httpx.AsyncClient, session: AsyncSession, slug: str) -> tuple[str, str]:
    """An agent token of a new shop and the id of a refund request in it."""
    shop = await make_shop(session, slug)
    ingest = await make_token(session, shop, Role.INTEGRATION)
    _, refund_id = await seed_order_and_refund(
        client, ingest, requested_at="2026-11-21T09:00:00+08:00"
    )
    return await make_token(session, shop, Role.AGENT), refund_id


async def test_same_key_same_request_replays_the_stored_response_with_one_effect(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    agent, refund_id = await seeded(client, session, "a")
    variables = {"refundId": refund_id, "note": "first"}
    # when
    first = await post(client, agent, "k-1", variables)
    again = await post(client, agent, '"k-1"', variables)  # the draft's quoted form
    # then
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert first.json()["data"]["recordAction"]["actionRecord"]["note"] == "first"
    assert await count_rows(session, ActionRecord) == 1
    assert await count_rows(session, IdempotencyKey) == 1


async def test_without_a_key_a_retry_runs_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    agent, refund_id = await seeded(client, session, "a")
    for _ in range(2):
        assert (await post(client, agent, None, {"refundId": refund_id})).status_code == 200
    assert await count_rows(session, ActionRecord) == 2
    assert await count_rows(session, IdempotencyKey) == 0


async def test_same_key_other_request_is_refused_as_reused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    agent, refund_id = await seeded(client, session, "a")
    await post(client, agent, "k-1", {"refundId": refund_id, "note": "first"})
    # when
    other = await post(client, agent, "k-1", {"refundId": refund_id, "note": "second"})
    # then
    assert other.status_code == 422
    error = other.json()["errors"][0]
    assert error["extensions"] == {"code": "IDEMPOTENCY_KEY_REUSED", "field": "Idempotency-Key"}
    assert await count_rows(session, ActionRecord) == 1


async def test_keys_belong_to_the_shop(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given two shops using the same key for their own requests
    agent_a, refund_a = await seeded(client, session, "a")
    agent_b, refund_b = await seeded(client, session, "b")
    # when
    a = await post(client, agent_a, "shared", {"refundId": refund_a})
    b = await post(client, agent_b, "shared", {"refundId": refund_b})
    # then: both ran, neither saw the other's answer
    assert a.status_code == b.status_code == 200
    assert "idempotent-replayed" not in b.headers
    assert b.json()["data"]["recordAction"]["userErrors"] == []
    assert await count_rows(session, ActionRecord) == 2


@pytest.mark.parametrize("key", ["", " ", '""', "x" * 256, "ключ", "a\tb"])
async def test_malformed_keys_are_refused_naming_the_header(
    client: httpx.AsyncClient, session: AsyncSession, key: str
) -> None:
    agent, refund_id = await seeded(client, session, "a")
    response = await client.post(
        "/graphql",
        json={"query": RECORD, "variables": {"refundId": refund_id}},
        headers=[
            (b"Authorization", f"Bearer {agent}".encode()),
            (b"Idempotency-Key", key.encode()),
        ],
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["field"] == "Idempotency-Key"
    assert await count_rows(session, ActionRecord) == 0


async def test_a_request_that_did_not_run_cleanly_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a first try that fails validation (an unknown field)
    agent, refund_id = await seeded(client, session, "a")
    broken = await client.post(
        "/graphql",
        json={"query": "mutation { recordAction { nope } }"},
        headers={"Authorization": f"Bearer {agent}", "Idempotency-Key": "k-1"},
    )
    assert broken.json()["errors"]
    # when the client fixes its request and sends it with the same key
    fixed = await post(client, agent, "k-1", {"refundId": refund_id})
    # then it runs
    assert fixed.status_code == 200 and "idempotent-replayed" not in fixed.headers
    assert await count_rows(session, ActionRecord) == 1


@pytest.fixture
async def clock_app(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> AsyncIterator[tuple[httpx.AsyncClient, list[Any]]]:
    now = [NOW]
    app = create_app(settings, engine=engine, clock=lambda: now[0])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, now


async def test_keys_expire_after_the_ttl_and_are_purged(
    clock_app: tuple[httpx.AsyncClient, list[Any]],
    session: AsyncSession,
    settings: Settings,
    engine: AsyncEngine,
) -> None:
    # given a key used 24 h ago
    client, now = clock_app
    agent, refund_id = await seeded(client, session, "a")
    await post(client, agent, "k-1", {"refundId": refund_id, "note": "first"})
    now[0] = NOW + timedelta(hours=settings.idempotency_ttl_h)
    # when it is used again for another request
    later = await post(client, agent, "k-1", {"refundId": refund_id, "note": "second"})
    # then it is free again; and an expired key is purged
    assert later.status_code == 200 and "idempotent-replayed" not in later.headers
    assert await count_rows(session, ActionRecord) == 2
    assert await count_rows(session, IdempotencyKey) == 1  # the expired row was replaced
    assert await purge_expired(session, NOW + timedelta(hours=47)) == 0
    await session.commit()
    # the replica's purge (on the real clock, long after NOW) deletes the rest
    assert await purge_once(create_sessionmaker(engine)) == 1
    assert await count_rows(session, IdempotencyKey) == 0


async def test_a_key_whose_request_still_runs_is_in_progress(
    backend: str, client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    if backend != "postgresql":
        pytest.skip("the claim another replica holds is a PostgreSQL advisory lock")
    # given another replica running a request with the key (holding its claim)
    agent, refund_id = await seeded(client, session, "a")
    shop_id = int(
        (await session.execute(text("SELECT id FROM shops WHERE slug = 'a'"))).scalar_one()
    )
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id(shop_id, "k-1")})
        # when
        busy = await post(client, agent, "k-1", {"refundId": refund_id})
        await other.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id(shop_id, "k-1")})
    after = await post(client, agent, "k-1", {"refundId": refund_id})
    # then: refused as retryable, and the retry after it ends runs once
    assert busy.status_code == 409 and busy.headers["retry-after"] == "1"
    assert busy.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_PROGRESS"
    assert after.status_code == 200
    assert await count_rows(session, ActionRecord) == 1


async def test_concurrent_retries_of_one_key_have_one_effect(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a client that fires the same keyed request five times at once
    agent, refund_id = await seeded(client, session, "a")
    variables = {"refundId": refund_id, "note": "once"}
    # when
    answers = await asyncio.gather(*(post(client, agent, "k-1", variables) for _ in range(5)))
    # then one ran; the others were told it is running, or got its answer replayed
    ran = [a for a in answers if a.status_code == 200 and "idempotent-replayed" not in a.headers]
    assert len(ran) == 1
    for answer in answers:
        if answer.status_code == 409:
            code = answer.json()["errors"][0]["extensions"]["code"]
            assert code == "IDEMPOTENCY_KEY_IN_PROGRESS"
        else:
            assert answer.status_code == 200 and answer.content == ran[0].content
    assert await count_rows(session, ActionRecord) == 1
