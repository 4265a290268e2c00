"""CPU time per ingest batch, in process, on PostgreSQL: steadier than wall time on a
shared machine, for comparing two builds of the write path (see :mod:`bench.ab_cpu`).

It creates a scratch database (``--postgres``), builds the app as ``serve`` would (prod
settings) and sends it :mod:`bench.ingest_bench`'s day of data through an in-process
ASGI client, one batch of 500 at a time: ``--orders`` orders, their parcels, then three
tracking events per parcel. For each mutation it prints the process's CPU milliseconds
per batch: the server's work plus the client's, whose bodies are encoded beforehand.
PostgreSQL's own CPU is another process's: it is reported beside, as the CPU time
its backends for the scratch database used (read from ``/proc``, so for a local
server on Linux). Then it drops the database.

Run: ``.venv/bin/python -m bench.ingest_cpu_bench [--orders N]``. The report goes to
stderr; its last two lines are ``total_cpu_ms_per_event_batch=<ms>`` (this process and
the database) and ``cpu_ms_per_event_batch=<ms>`` (this process). It asserts nothing about
speed, only that every batch was accepted. ``--profile FILE`` writes a cProfile of the
events phase (which slows it: the figures are then not comparable). ``--sql`` prints
the statements of each phase's last batch.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a path: make `service` and `bench` importable
    sys.path.insert(0, str(ROOT))

from bench.http_bench import _create_db, _drop_db, _prepare  # noqa: E402
from bench.ingest_bench import (  # noqa: E402
    APPEND_EVENTS,
    EVENTS_PER_PARCEL,
    UPSERT_ORDERS,
    UPSERT_SHIPMENTS,
    Day,
    _batches,
)


def _database_cpu(database: str) -> float | None:
    """CPU seconds the PostgreSQL backends serving ``database`` have used, read from
    ``/proc`` (a local server on Linux; None elsewhere). The pool keeps its connections
    through a phase, so the difference over a phase is the database's work for it."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        if cmdline.startswith("postgres: ") and f" {database} " in cmdline:
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


async def _run(
    url: str, orders: int, profile: str | None, show_sql: bool = False
) -> dict[str, float]:
    from service import gc_tuning
    from service.app import create_app
    from service.config import Settings
    from service.db.engine import create_engine

    token = await _prepare(url)
    database = make_url(url).database or ""
    # The bench measures the write path, not the rate limit: a bucket it cannot empty.
    settings = Settings(
        database_url=url,
        env="prod",  # type: ignore[arg-type]
        log_level="WARNING",
        rate_limit_points=1_000_000,
        rate_limit_restore_per_s=1_000_000,
    )
    engine = create_engine(settings)
    app = create_app(settings, engine=engine)
    # Statements sent per batch: each costs PostgreSQL about a millisecond of its own
    # CPU (parse, plan, lock), which this process's CPU time does not show.
    sent: list[str] = []

    def on_statement(*args: Any) -> None:
        sent.append(" ".join(str(args[2]).split())[:100])

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    gc_tuning.freeze_startup_objects(settings.gc_freeze)  # as `serve` does once started
    day = Day(orders)
    plan = [
        ("upsertOrders", UPSERT_ORDERS, "orders", _batches(orders, day.order)),
        ("upsertShipments", UPSERT_SHIPMENTS, "shipments", _batches(orders, day.parcel)),
        (
            "appendTrackingEvents",
            APPEND_EVENTS,
            "events",
            _batches(orders * EVENTS_PER_PARCEL, day.event),
        ),
    ]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    out: dict[str, float] = {}
    # The collector's pauses, timed by its callbacks.
    pauses: list[float] = []
    generations: list[int] = []
    began = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.process_time()
        else:
            pauses.append(time.process_time() - began[0])
            generations.append(info["generation"])

    gc.callbacks.append(on_gc)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=120
        ) as client:
            for name, query, variable, batches in plan:
                bodies = [
                    json.dumps({"query": query, "variables": {variable: b}}).encode()
                    for b in batches
                ]
                profiler = cProfile.Profile() if profile and variable == "events" else None
                if profiler is not None:
                    profiler.enable()
                pauses.clear()
                sent.clear()
                database_before = _database_cpu(database)
                started = time.process_time()
                for body in bodies:
                    response = await client.post("/graphql", content=body, headers=headers)
                    payload = response.json()
                    if response.status_code != 200 or "errors" in payload:
                        raise SystemExit(f"{name} failed: {response.text[:500]}")
                    if next(iter(payload["data"].values()))["userErrors"]:
                        raise SystemExit(f"{name} rejected: {response.text[:500]}")
                out[name] = (time.process_time() - started) / len(bodies) * 1000
                out[f"{name}.database"] = float("nan")
                database_after = _database_cpu(database)
                if database_before is not None and database_after is not None:
                    out[f"{name}.database"] = (
                        (database_after - database_before) / len(bodies) * 1000
                    )
                database_ms = f"{out[f'{name}.database']:.1f} ms"
                gc_ms = sum(pauses) / len(bodies) * 1000
                # As each phase ends, so a profiler can be attached for the next one.
                sys.stderr.write(
                    f"{name:22} {out[name]:8.1f} ms CPU per batch of 500"
                    f" (of which {gc_ms:.1f} ms in {len(pauses)} collections"
                    f", {sum(1 for g in generations if g == 2)} of the oldest generation)"
                    f"; {len(sent) / len(bodies):.1f} statements per batch"
                    f"; PostgreSQL backends {database_ms} CPU per batch\n"
                )
                if show_sql:
                    last = sent[-round(len(sent) / len(bodies)) :]
                    sys.stderr.write("".join(f"    {sql}\n" for sql in last))
                generations.clear()
                sys.stderr.flush()
                if profiler is not None:
                    profiler.disable()
                    profiler.dump_stats(str(profile))
    finally:
        gc.callbacks.remove(on_gc)
        await engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the events phase to FILE"
    )
    parser.add_argument(
        "--sql", action="store_true", help="print the statements of each phase's last batch"
    )
    args = parser.parse_args(argv)
    url = asyncio.run(_create_db(args.postgres))
    try:
        cpu = asyncio.run(_run(url, args.orders, args.profile, args.sql))
    finally:
        asyncio.run(_drop_db(args.postgres, url))
    events, database = cpu["appendTrackingEvents"], cpu["appendTrackingEvents.database"]
    sys.stderr.write(f"total_cpu_ms_per_event_batch={events + database:.3f}\n")
    sys.stderr.write(f"cpu_ms_per_event_batch={events:.3f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
