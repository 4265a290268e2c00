"""``recommend`` over real HTTP next to a bare Starlette route doing the same decide.

In one run it starts the real server (``aftersales serve``, prod settings, one
worker) and :mod:`bench.bare_app` under the same uvicorn, then drives them in turn
with ``wrk -t1 -c16`` for a fixed time, several rounds, POSTing the same refund case
(signed parcel, quality complaint, no photo). It prints both rates, their ratio and
each endpoint's single-client (``-c1``) p50 / p99.

``--dashboard`` runs the second scenario instead: a ``refundRequests(first: 50)``
page with decisions, on PostgreSQL, with 200,000 orders bulk-loaded by SQL into a
scratch database that the bench creates and drops (``--postgres``, default
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``). It prints p50 / p95.

Needs ``wrk`` (Debian: ``apt-get install -y wrk``). Run from the project root:
``.venv/bin/python -m bench.http_bench`` or ``.venv/bin/python bench/http_bench.py``.
It is a benchmark, not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a path: make `service` importable
    sys.path.insert(0, str(ROOT))

RECOMMEND = (
    "query Recommend($case: CaseInput!, $at: DateTime) { recommend(case: $case, at: $at) {"
    " decision { action ruleId rationale steps deadlines { kind at } script }"
    " userErrors { field code message } } }"
)
CASE: dict[str, Any] = {
    "order": {
        "orderNumber": "PO-1",
        "platform": "PDD",
        "amount": "100.00",
        "status": "SIGNED",
        "confirmedAt": "2026-11-23T08:00:00+08:00",
    },
    "shipment": {
        "carrier": "ZTO",
        "trackingNumber": "ZT123",
        "trackingUploadedAt": "2026-11-23T10:00:00+08:00",
        "pickedUpAt": "2026-11-23T12:00:00+08:00",
        "signer": "BUYER",
        "events": [
            {"at": "2026-11-23T12:00:00+08:00", "kind": "PICKUP", "place": "Hangzhou"},
            {"at": "2026-11-25T09:00:00+08:00", "kind": "SIGNED", "place": "Shanghai"},
        ],
    },
    "refundRequest": {
        "refundNumber": "RF-1",
        "type": "REFUND_ONLY",
        "reason": "QUALITY",
        "requestedAt": "2026-11-25T12:00:00+08:00",
        "status": "PENDING",
    },
}
AT = "2026-11-26T12:00:00+08:00"
PAGE = (
    "query Page($first: Int!) { refundRequests(first: $first) { edges { node {"
    " refundNumber status reason requestedAt order { orderNumber amount status }"
    " shipment { trackingNumber events { at kind } }"
    " decision { action ruleId rationale nextDeadline moneyAtRisk { kind amount } script }"
    " } } pageInfo { hasNextPage endCursor } } }"
)

# wrk prints this line from done(): rate and latency percentiles in microseconds.
_LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT rate=%.1f p50=%d p95=%d p99=%d errors=%d\\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lua(path: Path, body: str, headers: dict[str, str]) -> Path:
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    path.write_text("\n".join(lines) + "\n" + _LUA_DONE)
    return path


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, body.encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


@contextmanager
def _process(args: list[str], env: dict[str, str], ready_url: str) -> Iterator[None]:
    """Run a server until the block ends; wait until ``ready_url`` answers."""
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"{args[0]} exited: {err[-2000:]}")
            try:
                with urllib.request.urlopen(ready_url, timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{' '.join(args)} did not start") from None
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wrk(url: str, script: Path, connections: int, seconds: float) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"RESULT (.*)", out)
    if match is None:
        raise SystemExit(f"unexpected wrk output:\n{out}")
    result = {k: float(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    # A rate made of refusals (429, 5xx, broken connections) is not a rate of answers.
    if result["errors"]:
        raise SystemExit(f"{url}: {result['errors']:.0f} failed requests during the run:\n{out}")
    return result


async def _prepare(url: str) -> str:
    """Migrate the database and return an integration token for a fresh shop."""
    from service.config import Settings
    from service.db.engine import create_engine, create_sessionmaker
    from service.db.migrations import upgrade_async
    from service.db.models import Role, Shop
    from service.decision.facts import Platform
    from service.store.tokens import create_token

    settings = Settings(database_url=url)
    engine = create_engine(settings)
    try:
        await upgrade_async(engine)
        async with create_sessionmaker(engine)() as session:
            shop = Shop(slug="bench", name="Bench shop", platform=Platform.PDD)
            session.add(shop)
            await session.flush()
            token = await create_token(session, shop, Role.ADMIN, "bench")
            await session.commit()
    finally:
        await engine.dispose()
    return token


def _server_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AFTERSALES_DATABASE_URL=url,
        AFTERSALES_ENV="prod",
        AFTERSALES_LOG_LEVEL="WARNING",
        # The bench measures the service, not the rate limit: with the default bucket
        # most requests would be answered 429 in a few microseconds.
        AFTERSALES_RATE_LIMIT_POINTS="1000000",
        AFTERSALES_RATE_LIMIT_RESTORE_PER_S="1000000",
        PYTHONPATH=str(ROOT),
    )
    return env


def _aftersales() -> str:
    here = Path(sys.executable).parent / "aftersales"
    return str(here) if here.exists() else "aftersales"


def recommend_scenario(rounds: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        token = asyncio.run(_prepare(url))
        env = _server_env(url)
        api_port, bare_port = _free_port(), _free_port()
        api = f"http://127.0.0.1:{api_port}/graphql"
        bare = f"http://127.0.0.1:{bare_port}/decide"
        body = json.dumps({"query": RECOMMEND, "variables": {"case": CASE, "at": AT}})
        api_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        json_headers = {"Content-Type": "application/json"}
        api_lua = _lua(Path(tmp) / "api.lua", body, api_headers)
        bare_lua = _lua(Path(tmp) / "bare.lua", body, json_headers)
        uvicorn = [sys.executable, "-m", "uvicorn", "--no-access-log", "--log-level", "warning"]
        server = [_aftersales(), "serve", "--port", str(api_port)]
        with (
            _process(server, env, f"http://127.0.0.1:{api_port}/healthz"),
            _bare(uvicorn, bare_port, env),
        ):
            _, api_out = _post(api, body, api_headers)
            _, bare_out = _post(bare, body, json_headers)
            api_decision = json.loads(api_out)["data"]["recommend"]["decision"]
            bare_decision = json.loads(bare_out)["decision"]
            if api_decision["ruleId"] != bare_decision["ruleId"]:
                raise SystemExit(f"the endpoints disagree:\n{api_out}\n{bare_out}")
            print(f"case decided as {api_decision['action']} by rule {api_decision['ruleId']}")
            for lua, target in ((api_lua, api), (bare_lua, bare)):  # warm up
                _wrk(target, lua, 16, 1)
            api_rates: list[float] = []
            bare_rates: list[float] = []
            for i in range(rounds):
                b = _wrk(bare, bare_lua, 16, seconds)["rate"]
                a = _wrk(api, api_lua, 16, seconds)["rate"]
                bare_rates.append(b)
                api_rates.append(a)
                print(
                    f"round {i + 1}: bare {b:8.0f} req/s   recommend {a:8.0f} req/s   {a / b:.3f}x"
                )
            ratios = [a / b for a, b in zip(api_rates, bare_rates, strict=True)]
            print(
                f"bare_req_s={statistics.median(bare_rates):.0f}"
                f" recommend_req_s={statistics.median(api_rates):.0f}"
                f" ratio_median={statistics.median(ratios):.3f} ratio_best={max(ratios):.3f}"
            )
            for name, lua, target in (("recommend", api_lua, api), ("bare", bare_lua, bare)):
                one = _wrk(target, lua, 1, seconds)
                print(
                    f"{name} single client: p50={one['p50'] / 1000:.2f} ms"
                    f" p99={one['p99'] / 1000:.2f} ms ({one['rate']:.0f} req/s)"
                )


@contextmanager
def _bare(uvicorn: list[str], port: int, env: dict[str, str]) -> Iterator[None]:
    """The bare app has no health route: it is ready once a POST is answered."""
    proc = subprocess.Popen(
        [*uvicorn, "--port", str(port), "bench.bare_app:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    body = json.dumps({"variables": {"case": CASE, "at": AT}})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _post(f"http://127.0.0.1:{port}/decide", body, {"Content-Type": "application/json"})
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the bare app did not start") from None
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# Bulk load, all in SQL: orders with a shipment each (picked up, signed), tracking
# events, and a pending refund on every fourth order, spread over the last 30 days.
_LOAD = [
    """INSERT INTO orders (shop_id, order_number, platform, amount_cents, status,
        confirmed_at, can_fulfil, return_address_complete, remote_destination,
        force_majeure_exempt, created_at, updated_at)
    SELECT :shop, 'PO-' || g, 'PDD', 1000 + (g % 50000), 'SIGNED',
        now() - interval '30 days' + (g % 2500000) * interval '1 second',
        true, true, false, false, now(), now()
    FROM generate_series(1, :orders) g""",
    """INSERT INTO shipments (shop_id, order_id, carrier, tracking_number,
        tracking_uploaded_at, picked_up_at, signer, created_at, updated_at)
    SELECT shop_id, id, 'ZTO', 'ZT' || id, confirmed_at + interval '2 hours',
        confirmed_at + interval '5 hours', 'BUYER', now(), now()
    FROM orders WHERE shop_id = :shop""",
    """INSERT INTO tracking_events (shop_id, shipment_id, at, kind, place, created_at,
        updated_at)
    SELECT s.shop_id, s.id, s.picked_up_at + k.after, k.kind, 'Hangzhou', now(), now()
    FROM shipments s CROSS JOIN (VALUES (interval '0 hours', 'PICKUP'),
        (interval '20 hours', 'SORTING_ARRIVAL'), (interval '40 hours', 'SIGNED')) k(after, kind)
    WHERE s.shop_id = :shop""",
    """INSERT INTO refund_requests (shop_id, order_id, refund_number, type, reason, status,
        requested_at, threatens_review, free_reissues_given, return_to_wrong_address,
        created_at, updated_at)
    SELECT shop_id, id, 'RF-' || id, 'REFUND_ONLY',
        (ARRAY['QUALITY','NO_LONGER_WANTED','DAMAGED_IN_TRANSIT','MISSING_ITEM'])[1 + id % 4],
        'PENDING', LEAST(confirmed_at + interval '50 hours', now()), false, 0, false,
        now(), now()
    FROM orders WHERE shop_id = :shop AND id % 4 = 0""",
    "ANALYZE",
]


async def _load_postgres(url: str, orders: int) -> str:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    token = await _prepare(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            shop = (await conn.execute(text("SELECT id FROM shops WHERE slug = 'bench'"))).scalar()
            for statement in _LOAD:
                params = {"shop": shop, "orders": orders} if ":shop" in statement else {}
                await conn.execute(text(statement), params)
    finally:
        await engine.dispose()
    return token


async def _create_db(base: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"aftersales_bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(make_url(base), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


async def _drop_db(base: str, url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    admin = create_async_engine(make_url(base), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            name = make_url(url).database
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def dashboard_scenario(base: str, orders: int, rounds: int, seconds: float) -> None:
    url = asyncio.run(_create_db(base))
    try:
        started = time.perf_counter()
        token = asyncio.run(_load_postgres(url, orders))
        print(f"loaded {orders} orders in {time.perf_counter() - started:.1f} s")
        port = _free_port()
        api = f"http://127.0.0.1:{port}/graphql"
        body = json.dumps({"query": PAGE, "variables": {"first": 50}})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        with tempfile.TemporaryDirectory() as tmp:
            lua = _lua(Path(tmp) / "page.lua", body, headers)
            server = [_aftersales(), "serve", "--port", str(port)]
            with _process(server, _server_env(url), f"http://127.0.0.1:{port}/healthz"):
                _, out = _post(api, body, headers)
                edges = json.loads(out)["data"]["refundRequests"]["edges"]
                if len(edges) != 50 or any(e["node"]["decision"] is None for e in edges):
                    raise SystemExit(f"unexpected page: {out[:2000]}")
                _wrk(api, lua, 1, 1)  # warm up
                for i in range(rounds):
                    one = _wrk(api, lua, 1, seconds)
                    print(
                        f"round {i + 1}: page of 50 with decisions, single client:"
                        f" p50={one['p50'] / 1000:.1f} ms p95={one['p95'] / 1000:.1f} ms"
                        f" ({one['rate']:.0f} pages/s)"
                    )
                four = _wrk(api, lua, 4, seconds)
                print(
                    f"4 clients: p50={four['p50'] / 1000:.1f} ms p95={four['p95'] / 1000:.1f} ms"
                    f" ({four['rate']:.0f} pages/s)"
                )
    finally:
        asyncio.run(_drop_db(base, url))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="per wrk run")
    parser.add_argument("--dashboard", action="store_true", help="the PostgreSQL page scenario")
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: `apt-get install -y wrk` (Debian), then run again.")
        return 2
    os.chdir(ROOT)
    if args.dashboard:
        dashboard_scenario(args.postgres, args.orders, args.rounds, args.seconds)
    else:
        recommend_scenario(args.rounds, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
