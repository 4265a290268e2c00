"""A day of ingest over real HTTP: orders, their parcels and their tracking events.

It creates a scratch PostgreSQL database (``--postgres``, default
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``), starts the real server
(``aftersales serve``, prod settings, one worker) in a separate process, and pushes
synthetic data through it in batches of 500: ``--orders`` orders (default 100,000)
with ``upsertOrders``, one parcel each with ``upsertShipments``, then three tracking
events per parcel (300,000) with ``appendTrackingEvents``. ``--concurrency`` batches
are in flight at once (default 4), as an integration with a small pool would send
them. It prints rows/s per mutation and the p50 / p95 time per batch, then drops the
database.

The token's rate limit is raised for the run (``AFTERSALES_RATE_LIMIT_*``): the
default bucket (50 points/s) is sized for interactive clients and would measure the
limiter, not the write path.

Run from the project root: ``.venv/bin/python -m bench.ingest_bench``. It is a
benchmark, not a test: it asserts nothing about speed, only that every batch was
accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a path: make `service` importable
    sys.path.insert(0, str(ROOT))

from bench.http_bench import (  # noqa: E402
    _aftersales,
    _create_db,
    _drop_db,
    _free_port,
    _prepare,
    _process,
    _server_env,
)

BATCH = 500
EVENTS_PER_PARCEL = 3

UPSERT_ORDERS = (
    "mutation U($orders: [OrderInput!]!) { upsertOrders(input: {orders: $orders}) {"
    " orders { id } userErrors { field code message } } }"
)
UPSERT_SHIPMENTS = (
    "mutation S($shipments: [ShipmentUpsertInput!]!) {"
    " upsertShipments(input: {shipments: $shipments}) {"
    " shipments { id } userErrors { field code message } } }"
)
APPEND_EVENTS = (
    "mutation A($events: [ParcelTrackingEventInput!]!) {"
    " appendTrackingEvents(input: {events: $events}) {"
    " shipments { id } userErrors { field code message } } }"
)
KINDS = ("PICKUP", "SORTING_ARRIVAL", "SORTING_DEPARTURE")


def _iso(t: datetime) -> str:
    return t.isoformat()


class Day:
    """Synthetic data for one day: order ``i`` is confirmed at ``start + i * step``;
    its parcel's tracking number is uploaded an hour later, and its three carrier
    events come 90, 120 and 150 minutes after confirmation (all in the past)."""

    def __init__(self, orders: int) -> None:
        self.orders = orders
        self.start = datetime.now(UTC) - timedelta(hours=30)
        self.step = timedelta(days=1) / orders

    def confirmed(self, i: int) -> datetime:
        return self.start + i * self.step

    def order(self, i: int) -> dict[str, Any]:
        return {
            "orderNumber": f"PO-{i:07d}",
            "platform": "PDD",
            "amount": f"{10 + i % 490}.90",
            "status": "SHIPPED",
            "confirmedAt": _iso(self.confirmed(i)),
        }

    def parcel(self, i: int) -> dict[str, Any]:
        return {
            "orderNumber": f"PO-{i:07d}",
            "shipment": {
                "carrier": "YTO",
                "trackingNumber": f"YT{i:010d}",
                "trackingUploadedAt": _iso(self.confirmed(i) + timedelta(hours=1)),
            },
        }

    def event(self, k: int) -> dict[str, Any]:
        i, n = divmod(k, EVENTS_PER_PARCEL)
        return {
            "trackingNumber": f"YT{i:010d}",
            "at": _iso(self.confirmed(i) + timedelta(minutes=90 + 30 * n)),
            "kind": KINDS[n],
            "place": f"hub {i % 97}",
        }


def _batches(total: int, build: Callable[[int], dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, total, BATCH):
        yield [build(k) for k in range(start, min(total, start + BATCH))]


async def _push(
    client: httpx.AsyncClient,
    query: str,
    variable: str,
    batches: list[list[dict[str, Any]]],
    concurrency: int,
) -> tuple[float, list[float]]:
    """Send every batch (``concurrency`` at a time); the wall time and each batch's."""
    queue = iter(batches)
    times: list[float] = []

    async def worker() -> None:
        for batch in queue:
            began = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": query, "variables": {variable: batch}}
            )
            times.append(time.perf_counter() - began)
            body = response.json()
            if response.status_code != 200 or "errors" in body:
                raise SystemExit(f"batch failed: {response.status_code} {str(body)[:500]}")
            payload = next(iter(body["data"].values()))
            if payload["userErrors"]:
                raise SystemExit(f"batch rejected: {payload['userErrors'][:3]}")

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - began, times


def _report(name: str, rows: int, wall: float, times: list[float]) -> None:
    p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
    print(
        f"{name:22} {rows:>8,} rows  {wall:7.1f} s  {rows / wall:>8,.0f} rows/s"
        f"  batch p50 {statistics.median(times) * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms"
    )


async def _drive(port: int, token: str, orders: int, concurrency: int) -> None:
    day = Day(orders)
    events = orders * EVENTS_PER_PARCEL
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120
    ) as client:
        # Build every body first, so the client's own work is not timed.
        plan = [
            ("upsertOrders", UPSERT_ORDERS, "orders", list(_batches(orders, day.order)), orders),
            (
                "upsertShipments",
                UPSERT_SHIPMENTS,
                "shipments",
                list(_batches(orders, day.parcel)),
                orders,
            ),
            (
                "appendTrackingEvents",
                APPEND_EVENTS,
                "events",
                list(_batches(events, day.event)),
                events,
            ),
        ]
        for name, query, variable, batches, rows in plan:
            wall, times = await _push(client, query, variable, batches, concurrency)
            _report(name, rows, wall, times)


# What autovacuum keeps analyzed as a day of data arrives; the bench runs the same
# ANALYZE itself when the server has autovacuum off (as this project's CI server does).
HOT_TABLES = ("orders", "shipments", "tracking_events", "case_states", "case_events")


async def _autovacuum_on(url: str) -> bool:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return str((await conn.execute(text("SHOW autovacuum"))).scalar_one()) == "on"
    finally:
        await engine.dispose()


async def _analyze_every(url: str, seconds: float) -> None:
    """ANALYZE the tables the ingest grows, every ``seconds``: without statistics the
    planner takes a shop's index for a handful of rows and scans the whole shop for
    each batch's ids (a fresh database on a server without autovacuum)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        while True:
            await asyncio.sleep(seconds)
            async with engine.connect() as conn:
                await conn.execute(text(f"ANALYZE {', '.join(HOT_TABLES)}"))
    finally:
        await engine.dispose()


async def _drive_analyzed(
    url: str, port: int, token: str, orders: int, concurrency: int, analyze: bool
) -> None:
    analyzer = asyncio.create_task(_analyze_every(url, 5.0)) if analyze else None
    try:
        await _drive(port, token, orders, concurrency)
    finally:
        if analyzer is not None:
            analyzer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await analyzer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    url = asyncio.run(_create_db(args.postgres))
    try:
        token = asyncio.run(_prepare(url))
        env = _server_env(url)
        env.update(
            AFTERSALES_RATE_LIMIT_POINTS="1000000", AFTERSALES_RATE_LIMIT_RESTORE_PER_S="1000000"
        )
        port = _free_port()
        server = [_aftersales(), "serve", "--port", str(port)]
        print(f"{args.orders:,} orders, batches of {BATCH}, {args.concurrency} in flight")
        analyze = not asyncio.run(_autovacuum_on(url))
        if analyze:
            print(
                "autovacuum is off on this server: the bench analyzes"
                f" {', '.join(HOT_TABLES)} every 5 s, as autovacuum would in production"
            )
        with _process(server, env, f"http://127.0.0.1:{port}/healthz"):
            asyncio.run(_drive_analyzed(url, port, token, args.orders, args.concurrency, analyze))
    finally:
        asyncio.run(_drop_db(args.postgres, url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
