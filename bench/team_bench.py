"""``caseGroups`` with a logistics disruption and a 500-case ``recordActions``, over
HTTP against the real server in a separate process, on PostgreSQL.

1. Creates a scratch database next to ``--database-url`` and loads ``--orders`` orders
   of one shop with the work-queue bench's SQL (bench/queue_bench.py), plus
   ``--disrupted`` shipped parcels of one carrier whose last scan, four days ago, was at
   one sorting centre (a disruption), then fills the case states (``refresh --all``).
2. Starts ``aftersales serve`` (prod settings) and measures, sequentially, p50 / p95 of
   ``caseGroups`` (with messages) and of ``recordActions`` over 500 queued cases.

Run: ``.venv/bin/python -m bench.team_bench --orders 1000000 --disrupted 5000
--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``. Loading a
million orders takes a while (half an hour on 2 shared cores): ``--keep`` leaves the
scratch database in place and prints its URL, ``--reuse URL`` measures it again. Targets
(issue 16): caseGroups p95 <= 50 ms at 1,000,000 orders / 5,000 parcels; recordActions
(500 cases) p95 <= 200 ms. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select, text

from bench.queue_bench import LOAD, _report, _server
from service.config import Settings
from service.db.engine import create_engine, create_sessionmaker
from service.db.migrations import upgrade_async
from service.db.models import Role, Shop
from service.graphql.relay import to_global_id
from service.store.refresher import refresh_all
from service.team import agents
from tests.conftest import create_scratch_postgres, drop_scratch_postgres

GROUPS = """
{ caseGroups { action carrier place scenario count moneyAtRisk soonestDueAt
    message { zhCn en } }
  disruptions { carrier place count firstSeen } }
"""
BULK = """
mutation Bulk($cases: [BulkCaseInput!]!) {
  recordActions(input: {cases: $cases, takenAction: CONTACT_CARRIER, note: "bench"}) {
    actionRecords { id } userErrors { code message }
  }
}
"""

# One client asks back to back for minutes: the per-token rate limit would measure its
# own refill instead of the request.
UNTHROTTLED = {
    "AFTERSALES_RATE_LIMIT_POINTS": "1000000",
    "AFTERSALES_RATE_LIMIT_RESTORE_PER_S": "1000000",
}

CASES = (
    "SELECT order_id FROM case_states WHERE shop_id = :shop AND kind = 'ORDER'"
    " AND queue_rank IS NOT NULL ORDER BY order_id LIMIT 500"
)

# Shipped parcels stuck since their sorting scan four days ago, all at one place.
DISRUPTION = [
    """
    INSERT INTO orders (id, shop_id, order_number, platform, amount_cents, status,
        confirmed_at, group_formed_at, ship_by, can_fulfil, return_address_complete,
        remote_destination, force_majeure_exempt, created_at, updated_at)
    SELECT :n + i, :shop, 'D-' || i, 'PDD', 4990, 'SHIPPED', :now - interval '5 days',
        :now - interval '5 days', NULL, true, true, false, false, :now, :now
    FROM generate_series(1, :d) AS i
    """,
    """
    INSERT INTO shipments (id, shop_id, order_id, carrier, tracking_number, shipped_offline_at,
        tracking_uploaded_at, picked_up_at, created_at, updated_at)
    SELECT :n + i, :shop, :n + i, 'YTO', 'YT' || i, :now - interval '5 days' + interval '3 hours',
        :now - interval '5 days' + interval '3 hours',
        :now - interval '5 days' + interval '6 hours', :now, :now
    FROM generate_series(1, :d) AS i
    """,
    """
    INSERT INTO tracking_events (shop_id, shipment_id, at, kind, place, created_at, updated_at)
    SELECT CAST(:shop AS bigint), :n + i, :now - interval '5 days' + interval '6 hours',
        'PICKUP', 'Yiwu',
        :now, :now FROM generate_series(1, :d) AS i
    UNION ALL
    SELECT CAST(:shop AS bigint), :n + i, :now - interval '4 days', 'SORTING_DEPARTURE',
        'Hangzhou hub',
        :now, :now FROM generate_series(1, :d) AS i
    """,
    # Both 004 scenarios: the stuck parcels go to Hangzhou, and so does every fourth
    # order not shipped yet (the UNSHIPPED group of the disruption at "Hangzhou hub").
    """
    UPDATE orders SET destination_province = 'Zhejiang', destination_city = 'Hangzhou'
    WHERE shop_id = :shop AND (id > :n OR (status = 'AWAITING_SHIPMENT' AND id % 4 = 0))
    """,
    "SELECT setval(pg_get_serial_sequence('orders', 'id'), CAST(:n AS bigint) + :d)",
    "SELECT setval(pg_get_serial_sequence('shipments', 'id'), CAST(:n AS bigint) + :d)",
    "ANALYZE",
]


async def _load(url: str, n: int, d: int) -> tuple[str, list[str]]:
    settings = Settings(database_url=url, env="prod")  # type: ignore[arg-type]
    engine = create_engine(settings)
    await upgrade_async(engine)
    now = datetime.now(UTC)
    async with create_sessionmaker(engine).begin() as session:
        shop = Shop(slug="bench", name="Bench", platform="PDD")
        session.add(shop)
        await session.flush()
        _, token = await agents.create_agent(session, shop, "Bench agent", Role.AGENT)
        shop_id = shop.id
    started = time.perf_counter()
    async with engine.begin() as conn:
        for sql in [*LOAD[:-1], *DISRUPTION]:
            sql = sql.replace(":now", "CAST(:now AS timestamptz)")
            await conn.execute(text(sql), {"shop": shop_id, "now": now, "n": n, "d": d})
    print(f"loaded {n} orders + {d} disrupted parcels in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    done = await refresh_all(create_sessionmaker(engine))
    print(f"refresh --all: {done} orders in {time.perf_counter() - started:.1f} s")
    # Outside a transaction: a rolled-back ANALYZE keeps no statistics, and VACUUM sets
    # the visibility map that lets caseGroups read its index alone.
    async with engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("VACUUM ANALYZE"))
    async with engine.connect() as conn:
        rows = await conn.execute(text(CASES), {"shop": shop_id})
        cases = [to_global_id("Order", r[0]) for r in rows]
    await engine.dispose()
    return token, cases


async def _reuse(url: str) -> tuple[str, list[str]]:
    """A new agent token and the 500 cases of a database a ``--keep`` run left."""
    engine = create_engine(Settings(database_url=url, env="prod"))  # type: ignore[arg-type]
    async with create_sessionmaker(engine).begin() as session:
        shop = (await session.execute(select(Shop).where(Shop.slug == "bench"))).scalar_one()
        _, token = await agents.create_agent(session, shop, "Bench agent", Role.AGENT)
        rows = await session.execute(text(CASES), {"shop": shop.id})
        cases = [to_global_id("Order", r[0]) for r in rows]
    await engine.dispose()
    return token, cases


def _time(client: httpx.Client, token: str, body: dict[str, Any], n: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.post("/graphql", json=body, headers=headers)
        out.append(time.perf_counter() - start)
        data = response.json()
        assert response.status_code == 200 and "errors" not in data, response.text[:500]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--disrupted", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", help="measure a database a --keep run left (its URL)")
    args = parser.parse_args(argv)
    url = args.reuse or asyncio.run(create_scratch_postgres(args.database_url))
    try:
        if args.reuse:
            token, cases = asyncio.run(_reuse(url))
        else:
            token, cases = asyncio.run(_load(url, args.orders, args.disrupted))
        bulk = {"query": BULK, "variables": {"cases": [{"orderId": c} for c in cases]}}
        with (
            _server(url, echo=False, settings=UNTHROTTLED) as (base, _),
            httpx.Client(base_url=base, timeout=60) as c,
        ):
            answer = c.post(
                "/graphql", json={"query": GROUPS}, headers={"Authorization": f"Bearer {token}"}
            )
            data = answer.json()["data"]
            print(f"disruptions: {data['disruptions']}; {len(data['caseGroups'])} groups")
            _time(c, token, {"query": GROUPS}, 5)
            _report(
                "caseGroups",
                _time(c, token, {"query": GROUPS}, args.rounds),
                len(data["caseGroups"]),
            )
            _time(c, token, bulk, 2)
            _report(
                f"recordActions({len(cases)} cases)",
                _time(c, token, bulk, max(args.rounds // 5, 5)),
                len(cases),
            )
        print(f"machine: {os.cpu_count()} cores; {os.popen('uptime').read().strip()}")
    finally:
        if args.keep or args.reuse:
            print(f"database kept: {url}")
        else:
            asyncio.run(drop_scratch_postgres(args.database_url, url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
