"""CPU time per ``recommend`` request, in process: steadier than wall time on a shared
machine, for comparing two builds (e.g. tracing off against the code before it).

Run: ``.venv/bin/python -m bench.recommend_cpu_bench [--requests N]``. Prints
``cpu_ms_per_req``, the median and the fastest wall time. With ``OTEL_TRACES_EXPORTER``
set the app is traced; the console exporter writes spans to stdout and this report goes
to stderr, so ``2>&1 >/dev/null`` keeps the report only. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.api_bench import CASE, RECOMMEND, _seed
from service.app import create_app
from service.config import Settings
from service.db.engine import create_engine
from tests.factories import NOW

WARM_UP = 100


async def main(requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        # The bench measures the service, not the rate limit: a bucket it cannot empty.
        settings = Settings(
            database_url=url,
            env="prod",  # type: ignore[arg-type]
            rate_limit_points=1_000_000,
            rate_limit_restore_per_s=1_000_000,
        )
        token = await _seed(settings, cases=5)
        engine = create_engine(settings)
        app = create_app(settings, engine=engine, clock=lambda: NOW)
        body = {"query": RECOMMEND, "variables": {"case": CASE, "at": NOW.isoformat()}}
        headers = {"Authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(WARM_UP):
                await client.post("/graphql", json=body, headers=headers)
            walls: list[float] = []
            cpu_started = time.process_time()
            for _ in range(requests):
                started = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=headers)
                walls.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"recommend failed: {response.text}")
            cpu = time.process_time() - cpu_started
            if response.status_code != 200 or "errors" in response.json():
                raise SystemExit(f"recommend failed: {response.text}")
        await engine.dispose()
    sys.stderr.write(
        f"cpu_ms_per_req={cpu / requests * 1000:.3f}"
        f" wall_p50_ms={statistics.median(walls) * 1000:.3f}"
        f" wall_min_ms={min(walls) * 1000:.3f}\n"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    asyncio.run(main(parser.parse_args().requests))
