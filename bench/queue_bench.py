"""The work queue and a filtered refund page at shop scale, over HTTP against the real
server, plus the refresher's throughput.

1. Creates a scratch PostgreSQL database next to ``--database-url``, migrates it and
   loads N orders of one shop by bulk SQL (``generate_series``): a 60-day spread of
   confirmations, parcels with pickup / sorting / signing events for shipped orders,
   refund requests on ~12 % of orders (about 20 % of them pending), some unshipped
   orders past their ship-by.
2. Fills the case states with ``refresh_all`` (what ``aftersales refresh --all`` runs)
   and reports its rate; then marks 20,000 states stale and times the refresher.
3. Starts ``aftersales serve`` (prod settings, one worker) in a separate process and
   measures ``workQueue(first: 50)`` with order, refund and decision fields, and
   ``refundRequests(first: 50, filter: {status: [PENDING], dueWithinHours: 24})`` with
   decisions: p50 / p95 over sequential requests. A second server run with
   ``AFTERSALES_DB_ECHO=1`` counts the SQL statements per request from its log.

Run: ``.venv/bin/python -m bench.queue_bench --orders 10000 --database-url
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text, update
from sqlalchemy.engine import make_url

from service.config import Settings
from service.db.engine import create_engine, create_sessionmaker
from service.db.migrations import upgrade_async
from service.db.models import CaseState, Role, Shop
from service.store import case_state
from service.store.refresher import Refresher, refresh_all
from service.store.tokens import create_token
from tests.conftest import create_scratch_postgres, drop_scratch_postgres

QUEUE = """
query Queue($first: Int!) {
  workQueue(first: $first) {
    edges { node {
      kind dueAt deadlineKind overdue
      order { orderNumber status amount confirmedAt }
      refundRequest { refundNumber reason status requestedAt }
      decision { action ruleId rationale proactive overdue steps script
                 deadlines { kind at } moneyAtRisk { kind amount } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

REFUNDS = """
query Refunds($first: Int!) {
  refundRequests(first: $first, filter: {status: [PENDING], dueWithinHours: 24}) {
    edges { node {
      refundNumber reason status requestedAt
      order { orderNumber amount }
      decision { action ruleId rationale nextDeadline overdue script }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# One shop; every row generated in SQL from the order's sequence number. "now" is the
# load time; md5-based pseudo-random numbers keep a run reproducible.
LOAD = [
    """
    INSERT INTO orders (id, shop_id, order_number, platform, amount_cents, status,
        confirmed_at, group_formed_at, ship_by, can_fulfil, return_address_complete,
        remote_destination, force_majeure_exempt, created_at, updated_at)
    SELECT i, :shop, 'B-' || i, 'PDD', 990 + (i % 50) * 100,
        CASE
          WHEN age < interval '2 hours' AND i % 10 = 0 THEN 'AWAITING_GROUP'
          WHEN age < interval '40 hours' AND i % 3 = 0 THEN 'AWAITING_SHIPMENT'
          WHEN age >= interval '40 hours' AND i % 97 = 0 THEN 'AWAITING_SHIPMENT'
          WHEN i % 31 = 0 THEN 'CANCELLED'
          WHEN age < interval '5 days' THEN 'SHIPPED'
          ELSE 'COMPLETED' END,
        :now - age,
        CASE WHEN age < interval '2 hours' AND i % 10 = 0 THEN NULL
             ELSE :now - age + interval '5 minutes' END,
        NULL, true, true, i % 17 = 0, false, :now, :now
    FROM (SELECT i, interval '60 days' * (('x' || substr(md5(i::text), 1, 8))::bit(32)::bigint
                 / 4294967296.0) AS age
          FROM generate_series(1, :n) AS i) AS s
    """,
    """
    INSERT INTO shipments (id, shop_id, order_id, carrier, tracking_number, shipped_offline_at,
        tracking_uploaded_at, picked_up_at, created_at, updated_at)
    SELECT o.id, o.shop_id, o.id, 'ZTO', 'ZT' || o.id, o.confirmed_at + interval '6 hours',
        o.confirmed_at + interval '6 hours',
        CASE WHEN o.id % 50 = 0 THEN NULL ELSE o.confirmed_at + interval '9 hours' END,
        :now, :now
    FROM orders o WHERE o.status IN ('SHIPPED', 'COMPLETED')
    """,
    """
    INSERT INTO tracking_events (shop_id, shipment_id, at, kind, place, created_at, updated_at)
    SELECT s.shop_id, s.id, s.picked_up_at + step * interval '11 hours',
        (ARRAY['PICKUP', 'SORTING_DEPARTURE', 'SIGNED'])[step + 1], 'Jinhua', :now, :now
    FROM shipments s JOIN orders o ON o.id = s.order_id, generate_series(0, 2) AS step
    WHERE s.picked_up_at IS NOT NULL
      AND (step < 2 OR o.status = 'COMPLETED')
      AND s.picked_up_at + step * interval '11 hours' <= :now
    """,
    """
    INSERT INTO refund_requests (id, shop_id, order_id, refund_number, type, reason, status,
        requested_at, refunded_at, platform_refund, threatens_review, free_reissues_given,
        return_to_wrong_address, created_at, updated_at)
    SELECT o.id, o.shop_id, o.id, 'R-' || o.id,
        CASE WHEN o.id % 2 = 0 THEN 'REFUND_ONLY' ELSE 'RETURN_AND_REFUND' END,
        (ARRAY['NO_LONGER_WANTED', 'QUALITY', 'NOT_RECEIVED', 'NOT_SHIPPED',
               'MISSING_ITEM'])[(o.id / 7) % 5 + 1],
        CASE WHEN pending THEN 'PENDING'
             WHEN o.id % 5 = 0 THEN 'REFUNDED'
             WHEN o.id % 5 = 1 THEN 'CANCELLED'
             ELSE 'AGREED' END,
        CASE WHEN pending THEN greatest(o.confirmed_at, :now - interval '60 hours'
                                        * ((o.id % 13) / 13.0))
             ELSE o.confirmed_at + interval '30 hours' END,
        CASE WHEN NOT pending AND o.id % 5 = 0 THEN o.confirmed_at + interval '31 hours' END,
        CASE WHEN NOT pending AND o.id % 10 = 0 THEN 'FAST_REFUND' END,
        false, 0, false, :now, :now
    FROM (SELECT o.*, (o.id / 8) % 5 = 0 AS pending FROM orders o
          WHERE o.id % 8 = 3 AND o.confirmed_at + interval '30 hours' <= :now) AS o
    """,
    "SELECT setval(pg_get_serial_sequence('orders', 'id'), :n)",
    "SELECT setval(pg_get_serial_sequence('shipments', 'id'), :n)",
    "SELECT setval(pg_get_serial_sequence('refund_requests', 'id'), :n)",
    "ANALYZE",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _load(url: str, n: int) -> tuple[str, datetime]:
    settings = Settings(database_url=url, env="prod")  # type: ignore[arg-type]
    engine = create_engine(settings)
    await upgrade_async(engine)
    now = datetime.now(UTC)
    async with create_sessionmaker(engine).begin() as session:
        shop = Shop(slug="bench", name="Bench", platform="PDD")
        session.add(shop)
        await session.flush()
        token = await create_token(session, shop, Role.AGENT, "bench")
        shop_id = shop.id
    started = time.perf_counter()
    async with engine.begin() as conn:
        for sql in LOAD:
            sql = sql.replace(":now", "CAST(:now AS timestamptz)")
            await conn.execute(text(sql), {"shop": shop_id, "now": now, "n": n})
    async with engine.connect() as conn:
        counts = {
            t: (await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
            for t in ("orders", "shipments", "tracking_events", "refund_requests")
        }
        pending = (
            await conn.execute(text("SELECT count(*) FROM refund_requests WHERE status='PENDING'"))
        ).scalar_one()
    print(f"loaded by SQL in {time.perf_counter() - started:.1f} s: {counts}, pending {pending}")

    sessionmaker = create_sessionmaker(engine)
    started = time.perf_counter()
    step = max(n // 10, 2000)
    marks = {step * k for k in range(1, 11)}

    def progress(done: int, total: int, seconds: float) -> None:
        if any(done >= m > done - 2000 for m in marks) or done == total:
            print(f"  refresh --all: {done}/{total} orders ({done / seconds:.0f}/s)", flush=True)

    done = await refresh_all(sessionmaker, progress, lanes=settings.refresher_lanes)
    took = time.perf_counter() - started
    print(f"refresh --all: {done} orders in {took:.1f} s = {done / took:.0f} orders/s")
    # Autovacuum would get there too; without fresh statistics the planner misjudges the
    # new table and the lists' joins to it. Outside a transaction: a rolled-back
    # ANALYZE keeps no statistics (refresh_all analyzes case_states itself).
    async with engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("ANALYZE"))
        stats = (
            await conn.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE queue_rank IS NOT NULL),"
                    " count(*) FILTER (WHERE queue_rank = 0) FROM case_states"
                )
            )
        ).one()
    print(f"case states: {stats[0]} rows, {stats[1]} in the queue, {stats[2]} overdue")

    # The refresher: 20,000 states made stale, then recomputed in batches.
    stale = min(20_000, n)
    async with engine.begin() as conn:
        await conn.execute(
            update(CaseState).where(CaseState.order_id <= stale).values(stale_at=case_state.EPOCH)
        )
    refresher = Refresher(sessionmaker, outdated=False, lanes=settings.refresher_lanes)
    started = time.perf_counter()
    orders = await refresher.run_once()
    took = time.perf_counter() - started
    async with engine.connect() as conn:
        cases = (
            await conn.execute(
                text("SELECT count(*) FROM case_states WHERE order_id <= :n"), {"n": stale}
            )
        ).scalar_one()
    print(
        f"refresher ({refresher.lanes} lanes): {orders} stale orders ({cases} cases) in"
        f" {took:.2f} s = {orders / took:.0f} orders/s, {cases / took:.0f} cases/s"
    )
    await engine.dispose()
    return token, now


class _Log:
    """The server's output, read on a thread so the pipe never fills and blocks it."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line)

    def take(self) -> list[str]:
        out, self.lines = self.lines, []
        return out


@contextmanager
def _server(
    url: str, echo: bool, settings: dict[str, str] | None = None
) -> Iterator[tuple[str, _Log]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env |= {
        "AFTERSALES_DATABASE_URL": url,
        "AFTERSALES_ENV": "prod",
        "AFTERSALES_LOG_LEVEL": "WARNING",
        "AFTERSALES_DB_ECHO": "true" if echo else "false",
        # One client sends back to back: the per-token budget would throttle the run.
        "AFTERSALES_RATE_LIMIT_POINTS": "1000000",
        "AFTERSALES_RATE_LIMIT_RESTORE_PER_S": "1000000",
        **(settings or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    log = _Log(proc)
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not become ready")
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _time(client: httpx.Client, token: str, query: str, n: int) -> list[float]:
    body: dict[str, Any] = {"query": query, "variables": {"first": 50}}
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.post("/graphql", json=body, headers=headers)
        out.append(time.perf_counter() - start)
        data = response.json()
        assert response.status_code == 200 and "errors" not in data, response.text[:500]
    return out


def _report(name: str, samples: list[float], items: int) -> None:
    samples = sorted(samples)
    p50 = statistics.median(samples) * 1000
    p95 = samples[max(int(len(samples) * 0.95) - 1, 0)] * 1000
    print(f"{name}: {items} items, p50={p50:.1f} ms  p95={p95:.1f} ms  (n={len(samples)})")


def _items(client: httpx.Client, token: str, query: str, field: str) -> int:
    body = {"query": query, "variables": {"first": 50}}
    data = client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
    return len(data.json()["data"][field]["edges"])


def _measure(url: str, token: str, rounds: int) -> None:
    with _server(url, echo=False) as (base, _), httpx.Client(base_url=base, timeout=30) as client:
        for name, query, field in (
            ("workQueue(first: 50)", QUEUE, "workQueue"),
            ("refundRequests(first: 50, PENDING, due within 24 h)", REFUNDS, "refundRequests"),
        ):
            _time(client, token, query, 10)  # warm up caches and the pool
            _report(name, _time(client, token, query, rounds), _items(client, token, query, field))


# SQLAlchemy's echo logs every statement's parameters on a line of its own (the JSON
# log repeats each line: only the plain one is counted).
_PARAMS = re.compile(r"^\d{4}-.* \[(generated in|cached since|dialect \w+ does not|raw sql)")


def _statements(url: str, token: str) -> None:
    with _server(url, echo=True) as (base, log), httpx.Client(base_url=base) as client:
        for name, query in (("workQueue", QUEUE), ("refundRequests", REFUNDS)):
            for first in (10, 50):
                time.sleep(0.5)
                log.take()
                body = {"query": query, "variables": {"first": first}}
                for _ in range(3):
                    client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
                time.sleep(0.5)
                lines = log.take()
                n = sum(1 for line in lines if _PARAMS.search(line))
                print(f"sql statements per request, {name}(first: {first}): {n / 3:.1f}")


async def _scratch(base_url: str) -> str:
    return await create_scratch_postgres(base_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if make_url(args.database_url).get_backend_name() != "postgresql":
        raise SystemExit("queue_bench needs PostgreSQL")
    url = asyncio.run(_scratch(args.database_url))
    print(f"scratch database {make_url(url).database}, {args.orders} orders")
    try:
        token, _ = asyncio.run(_load(url, args.orders))
        _measure(url, token, args.rounds)
        _statements(url, token)
    finally:
        if not args.keep:
            asyncio.run(drop_scratch_postgres(args.database_url, url))


if __name__ == "__main__":
    main()
