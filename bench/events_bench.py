"""Webhook throughput and lag: events delivered per second to a local receiver, and the
p95 time from the change (the event's commit) to its arrival.

1. Creates a scratch PostgreSQL database next to ``--database-url`` and migrates it;
   one shop with one endpoint pointing at a local receiver (a separate process,
   :mod:`bench.webhook_receiver`).
2. Starts ``--workers`` ``aftersales worker`` processes (refresher off, the default
   1 s idle poll: they wake on the outbox's NOTIFY, not on the poll).
3. Writes ``--events`` events through the outbox (:func:`service.events.outbox.write`,
   the path a case-state change takes) in transactions of ``--batch``, as fast as it
   can, each on its own case, then waits until every one has arrived.

``--rate`` offers events at that rate instead (the lag then is the lag at that load,
not the time to drain a backlog).

Reports events/s (first commit to last arrival), p50 / p95 / max lag, how many events
arrived more than once, the workers' CPU time per delivery (/proc: what a delivery
costs, whatever else runs on the machine) and the load average. Run:
``.venv/bin/python -m bench.events_bench --database-url
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from service.config import Settings
from service.db.engine import create_engine, create_sessionmaker
from service.db.migrations import upgrade_async
from service.db.models import Shop
from service.events import outbox
from service.events.endpoints import create_endpoint
from service.graphql.relay import to_global_id
from tests.conftest import create_scratch_postgres, drop_scratch_postgres


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_s(pid: int) -> float:
    """User plus system CPU seconds of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _event(shop_id: int, n: int, now: datetime) -> dict[str, Any]:
    uid = f"evt_bench_{n}"
    data = {"orderId": to_global_id("Order", n), "action": "AGREE_REFUND"}
    return {
        "uid": uid,
        "shop_id": shop_id,
        "type": "case.decision_changed",
        "dedup_key": f"bench:{n}",
        "case_key": f"ORDER:{n}",
        "payload": {
            "id": uid,
            "type": "case.decision_changed",
            "timestamp": now.isoformat(),
            "data": data,
        },
        "created_at": now,
    }


async def main(args: argparse.Namespace) -> None:
    url = await create_scratch_postgres(args.database_url)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        settings = Settings(database_url=url, env="dev")  # type: ignore[arg-type]
        engine = create_engine(settings)
        await upgrade_async(engine)
        sm = create_sessionmaker(engine)
        port = _port()
        receiver = [sys.executable, "-m", "bench.webhook_receiver", str(port)]
        procs.append(subprocess.Popen(receiver))  # noqa: ASYNC220 (a bench, once)
        async with sm() as session:
            shop = Shop(slug="bench", name="Bench", platform="PDD")
            session.add(shop)
            await session.flush()
            await create_endpoint(session, shop.id, f"http://127.0.0.1:{port}/hook", [], settings)
            await session.commit()
            shop_id = shop.id
        env = {
            **os.environ,
            "AFTERSALES_DATABASE_URL": url,
            "AFTERSALES_DELIVER_INTERVAL_S": "1",
            "AFTERSALES_REFRESH_INTERVAL_S": "0",
            "AFTERSALES_LOG_LEVEL": "WARNING",
        }
        for _ in range(args.workers):
            worker = [sys.executable, "-m", "service.cli", "worker"]
            procs.append(subprocess.Popen(worker, env=env))  # noqa: ASYNC220
        await asyncio.sleep(3.0)  # workers and receiver up
        workers = procs[1:]
        cpu_before = sum(_cpu_s(p.pid) for p in workers)
        committed: dict[str, float] = {}
        started = time.time()
        for start in range(0, args.events, args.batch):
            if args.rate:  # an offered load: batch n is due at n * batch / rate
                ahead = started + start / args.rate - time.time()
                if ahead > 0:
                    await asyncio.sleep(ahead)
            now = datetime.now(UTC)
            events = [
                _event(shop_id, n, now) for n in range(start, min(start + args.batch, args.events))
            ]
            async with sm() as session:
                await session.run_sync(outbox.write, events, now)
                await session.commit()
            at = time.time()
            committed.update({e["uid"]: at for e in events})
        written = time.time()
        async with httpx.AsyncClient() as client:
            while True:
                stats: dict[str, list[float]] = (
                    await client.get(f"http://127.0.0.1:{port}/stats")
                ).json()
                if len(stats) >= args.events or time.time() - written > args.timeout:
                    break
                await asyncio.sleep(0.5)
        cpu = sum(_cpu_s(p.pid) for p in workers) - cpu_before
        await engine.dispose()
        arrived = {uid: min(ts) for uid, ts in stats.items()}
        lags = sorted(arrived[uid] - committed[uid] for uid in arrived)
        last = max(arrived.values())
        dupes = sum(1 for ts in stats.values() if len(ts) > 1)
        print(f"events: {args.events} written in {written - started:.2f} s, arrived {len(arrived)}")
        print(f"workers: {args.workers}; delivered/s: {len(arrived) / (last - started):.0f}")
        # CPU time, not wall time: what a delivery costs whatever else the machine runs.
        print(f"worker CPU per delivery: {cpu / max(len(arrived), 1) * 1000:.2f} ms")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        p = statistics.quantiles(lags, n=100)
        print(f"lag ms: p50 {p[49] * 1000:.0f}, p95 {p[94] * 1000:.0f}, max {lags[-1] * 1000:.0f}")
        print(f"arrived more than once: {dupes}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)
        await drop_scratch_postgres(args.database_url, url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--rate", type=float, default=0, help="events/s offered (0: flat out)")
    asyncio.run(main(parser.parse_args()))
