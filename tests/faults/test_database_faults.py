"""Database faults against a private PostgreSQL server and a real API process: a
restart under write load, retries with idempotency keys, a server killed mid-batch."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.db.models import ActionRecord, Order, Role
from service.store.ingest.common import MAX_ORDERS
from tests.faults.servers import ApiServer, PrivatePostgres
from tests.graphql.helpers import UPSERT_ORDERS, seed_order_and_refund

RECORD = """
mutation Record($refundId: ID!, $note: String!) {
  recordAction(input: {refundRequestId: $refundId, takenAction: NO_ACTION, note: $note}) {
    actionRecord { id }
    userErrors { code }
  }
}
"""
log = logging.getLogger(__name__)

FAIL_FAST_S = 2.0
RECOVER_WITHIN_S = 5.0
OUTAGE_S = 2.0


@dataclass
class Attempt:
    key: str
    started: float
    elapsed: float
    status: int
    code: str | None


# Refusals a client may retry with the same key: a write that lost a race, a first
# request with the key still running, the database away.
RETRYABLE = {"CONFLICT", "IDEMPOTENCY_KEY_IN_PROGRESS", "DATABASE_UNAVAILABLE"}


@dataclass
class RetryingClient:
    """Sends one recordAction per key and retries every retryable failure with the same
    key, as an integration's HTTP client does. A key is done when an answer carries the
    record, not merely when it came back 200; any other answer fails the key."""

    client: httpx.AsyncClient
    token: str
    refund_id: str
    attempts: list[Attempt] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    failed: list[Attempt] = field(default_factory=list)

    async def send(self, key: str) -> None:
        while True:
            started = time.monotonic()
            try:
                response = await self.client.post(
                    "/graphql",
                    json={"query": RECORD, "variables": {"refundId": self.refund_id, "note": key}},
                    headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": key},
                )
                status, code = response.status_code, _code(response)
            except httpx.TransportError:
                status, code = 0, None
            attempt = Attempt(key, started, time.monotonic() - started, status, code)
            self.attempts.append(attempt)
            if status == 200 and code is None:
                self.done.append(key)
                return
            if status not in (0, 503) and code not in RETRYABLE:
                self.failed.append(attempt)
                return
            await asyncio.sleep(0.05)


def _code(response: httpx.Response) -> str | None:
    """The refusal's code: a GraphQL error's, else the payload's first user error's;
    None when the answer holds the action record."""
    try:
        body = response.json()
    except ValueError:
        return "NOT_JSON"
    errors = body.get("errors")
    if errors:
        return str(errors[0]["extensions"]["code"])
    payload = (body.get("data") or {}).get("recordAction") or {}
    user_errors = payload.get("userErrors") or []
    if user_errors:
        return str(user_errors[0]["code"])
    return None if payload.get("actionRecord") else "NO_RECORD"


@pytest.fixture
def api(private_postgres: PrivatePostgres, private_engine: AsyncEngine) -> Iterator[ApiServer]:
    server = ApiServer(private_postgres.url)
    yield server
    server.kill()


async def test_restart_under_write_load_fails_fast_recovers_and_keeps_one_effect_per_key(
    private_postgres: PrivatePostgres,
    private_engine: AsyncEngine,
    tokens: dict[Role, str],
    api: ApiServer,
) -> None:
    async with httpx.AsyncClient(base_url=api.base_url, timeout=10) as client:
        # given steady writes, each retried with its key until it succeeds
        _, refund_id = await seed_order_and_refund(
            client, tokens[Role.INTEGRATION], requested_at="2026-11-21T09:00:00+08:00"
        )
        writer = RetryingClient(client, tokens[Role.AGENT], refund_id)
        stop = asyncio.Event()

        async def load() -> None:
            number = 0
            while not stop.is_set():
                number += 1
                await writer.send(f"write-{number}")

        running = asyncio.create_task(load())
        await asyncio.sleep(1.0)
        # when the database stops, stays away, and comes back
        await asyncio.to_thread(private_postgres.stop)
        down_at = time.monotonic()
        await asyncio.sleep(OUTAGE_S)
        # It may accept connections a moment before pg_ctl sees it ready.
        starting_at = time.monotonic()
        await asyncio.to_thread(private_postgres.start)
        back_at = time.monotonic()
        await asyncio.sleep(RECOVER_WITHIN_S + 1)
        stop.set()
        await asyncio.wait_for(running, timeout=30)

    # then requests during the outage failed fast with 503 DATABASE_UNAVAILABLE
    during = [
        a for a in writer.attempts if down_at <= a.started and a.started + a.elapsed <= starting_at
    ]
    assert during, "no request was sent while the database was down"
    assert {(a.status, a.code) for a in during} == {(503, "DATABASE_UNAVAILABLE")}
    assert max(a.elapsed for a in writer.attempts if a.status == 503) < FAIL_FAST_S
    unexpected = [a for a in writer.attempts if a.status not in (200, 503)]
    assert unexpected == []
    assert writer.failed == []
    # and succeeded again within 5 s of the database being back
    first_ok = min(
        a.started + a.elapsed
        for a in writer.attempts
        if a.status == 200 and a.code is None and a.started >= starting_at
    )
    assert first_ok - back_at < RECOVER_WITHIN_S
    log.info(
        "attempts=%d keys=%d refused_503=%d slowest_503=%.3fs first_success_after_back=%.3fs",
        len(writer.attempts),
        len(writer.done),
        sum(a.status == 503 for a in writer.attempts),
        max(a.elapsed for a in writer.attempts if a.status == 503),
        first_ok - back_at,
    )
    # and every key has exactly one effect: none lost, none doubled
    async with private_engine.connect() as conn:
        per_note = dict(
            (
                await conn.execute(
                    select(ActionRecord.note, func.count()).group_by(ActionRecord.note)
                )
            ).all()
        )
    assert per_note == {key: 1 for key in writer.done}
    assert len({a.key for a in writer.attempts}) == len(writer.done)


def _orders(count: int, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "orderNumber": f"{prefix}-{n}",
            "platform": "PDD",
            "amount": "19.90",
            "status": "AWAITING_SHIPMENT",
            "confirmedAt": "2026-11-20T10:00:00+08:00",
        }
        for n in range(count)
    ]


async def _writing(conn: AsyncConnection, database: str) -> bool:
    """Whether some other backend of ``database`` is inside a transaction that has
    written (it has a transaction id) but not committed."""
    found = await conn.scalar(
        text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = :db AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        ),
        {"db": database},
    )
    return bool(found)


async def _stored(conn: AsyncConnection, prefix: str) -> int:
    query = select(func.count()).select_from(Order).where(Order.order_number.like(f"{prefix}-%"))
    return int(await conn.scalar(query) or 0)


async def test_a_server_killed_mid_batch_leaves_all_of_the_batch_or_none(
    private_engine: AsyncEngine, tokens: dict[Role, str], api: ApiServer
) -> None:
    headers = {"Authorization": f"Bearer {tokens[Role.INTEGRATION]}"}
    interrupted = False
    async with (
        httpx.AsyncClient(base_url=api.base_url, timeout=30) as client,
        private_engine.connect() as watch,
    ):
        await watch.execution_options(isolation_level="AUTOCOMMIT")
        for attempt in range(5):
            # given a full batch (the largest upsertOrders takes) on its way in
            prefix = f"KILL{attempt}"
            batch = _orders(MAX_ORDERS, prefix)
            sending = asyncio.create_task(
                client.post(
                    "/graphql",
                    json={"query": UPSERT_ORDERS, "variables": {"orders": batch}},
                    headers=headers,
                )
            )
            for _ in range(1_000_000):  # polls back to back: a batch takes ~0.5 s
                if sending.done() or await _writing(watch, "postgres"):
                    break
                await asyncio.sleep(0)
            if sending.done():  # it won the race: it must be whole, try again
                assert (await sending).status_code == 200
                assert await _stored(watch, prefix) == len(batch)
                continue
            # when the server is killed while the batch's transaction has written rows
            api.kill()
            try:
                answered = (await sending).status_code == 200
            except httpx.TransportError:
                answered = False
            # then the batch is stored whole or not at all (its transaction died with
            # its connection, unless it committed just before the kill)
            for _ in range(100):  # PostgreSQL notices the dead client within moments
                if not await _writing(watch, "postgres"):
                    break
                await asyncio.sleep(0.05)
            stored = await _stored(watch, prefix)
            log.info("killed mid-batch on attempt %d: %d of %d stored", attempt, stored, len(batch))
            assert stored in (0, len(batch))
            if answered:
                assert stored == len(batch)
            interrupted = True
            break
    assert interrupted, "no batch could be caught while it was being written"
