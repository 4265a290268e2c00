"""The API's hot paths, in process (no network): the stateless ``recommend`` another
service calls per chat message, and a dashboard page of 50 refund requests with their
decisions. Reports requests per second, latency and SQL statements per page.

Run: ``.venv/bin/python -m bench.api_bench [--database-url URL]`` (default: a
temporary SQLite file). It is a benchmark, not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from service.app import create_app
from service.config import Settings
from service.db.engine import create_engine, create_sessionmaker
from service.db.migrations import upgrade_async
from service.db.models import Order, RefundRequest, Role, Shipment, Shop, TrackingEvent
from service.decision.facts import (
    OrderStatus,
    Platform,
    RefundReason,
    RefundStatus,
    RefundType,
    TrackingEventKind,
)
from service.store.tokens import create_token

# The bench's pinned "now" (the same instant as the tests' factories use).
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

RECOMMEND = """
query Recommend($case: CaseInput!, $at: DateTime) {
  recommend(case: $case, at: $at) {
    decision { action ruleId rationale steps deadlines { kind at } scripts { zhCN en } }
    userErrors { field code message }
  }
}
"""

PAGE = """
query Page($first: Int!) {
  refundRequests(first: $first) {
    edges { node {
      refundNumber status reason requestedAt
      order { orderNumber amount status }
      shipment { trackingNumber events { at kind } }
      decision { action ruleId rationale nextDeadline moneyAtRisk { kind amount } script }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CASE = {
    "order": {
        "orderNumber": "PO-1",
        "platform": "PDD",
        "amount": "100.00",
        "status": "SHIPPED",
        "confirmedAt": "2026-11-23T08:00:00+08:00",
    },
    "shipment": {
        "carrier": "ZTO",
        "trackingNumber": "ZT123",
        "shippedOfflineAt": "2026-11-23T09:00:00+08:00",
        "trackingUploadedAt": "2026-11-23T10:00:00+08:00",
    },
    "refundRequest": {
        "refundNumber": "RF-1",
        "type": "REFUND_ONLY",
        "reason": "NO_LONGER_WANTED",
        "requestedAt": "2026-11-24T09:00:00+08:00",
    },
}


async def _seed(settings: Settings, cases: int) -> str:
    engine = create_engine(settings)
    await upgrade_async(engine)
    async with create_sessionmaker(engine).begin() as session:
        shop = Shop(slug="bench", name="Bench", platform=Platform.PDD)
        session.add(shop)
        await session.flush()
        for i in range(cases):
            confirmed = NOW - timedelta(hours=30 + i % 20)
            order = Order(
                shop_id=shop.id,
                order_number=f"B-{i}",
                platform=Platform.PDD,
                amount=Decimal("59.90"),
                status=OrderStatus.SHIPPED,
                confirmed_at=confirmed,
                group_formed_at=confirmed,
            )
            session.add(order)
            await session.flush()
            shipment = Shipment(
                shop_id=shop.id,
                order_id=order.id,
                carrier="ZTO",
                tracking_number=f"ZT{i:06d}",
                shipped_offline_at=confirmed + timedelta(hours=2),
                tracking_uploaded_at=confirmed + timedelta(hours=2),
                picked_up_at=confirmed + timedelta(hours=4),
            )
            session.add(shipment)
            await session.flush()
            session.add(
                TrackingEvent(
                    shop_id=shop.id,
                    shipment_id=shipment.id,
                    at=confirmed + timedelta(hours=4),
                    kind=TrackingEventKind.PICKUP,
                    place="Jinhua",
                )
            )
            session.add(
                RefundRequest(
                    shop_id=shop.id,
                    order_id=order.id,
                    refund_number=f"R-{i}",
                    type=RefundType.REFUND_ONLY,
                    reason=RefundReason.NO_LONGER_WANTED,
                    status=RefundStatus.PENDING,
                    requested_at=NOW - timedelta(hours=1),
                )
            )
        token = await create_token(session, shop, Role.AGENT, "bench")
    await engine.dispose()
    return token


async def _time(client: httpx.AsyncClient, token: str, body: dict[str, Any], n: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    for _ in range(n):
        start = time.perf_counter()
        response = await client.post("/graphql", json=body, headers=headers)
        out.append(time.perf_counter() - start)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    return out


def _report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p50 = statistics.median(samples) * 1000
    p95 = samples[int(len(samples) * 0.95) - 1] * 1000
    print(f"{name}: {len(samples) / sum(samples):.0f}/s  p50={p50:.2f} ms  p95={p95:.2f} ms")


async def main(database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        # The bench measures the service, not the rate limit: a bucket it cannot empty.
        settings = Settings(
            database_url=url,
            env="prod",  # type: ignore[arg-type]
            rate_limit_points=1_000_000,
            rate_limit_restore_per_s=1_000_000,
        )
        token = await _seed(settings, cases=60)
        engine = create_engine(settings)
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        app = create_app(settings, engine=engine, clock=lambda: NOW)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            recommend = {"query": RECOMMEND, "variables": {"case": CASE, "at": NOW.isoformat()}}
            await _time(client, token, recommend, 50)  # warm caches
            _report("recommend", await _time(client, token, recommend, 1000))
            page = {"query": PAGE, "variables": {"first": 50}}
            await _time(client, token, page, 5)
            statements = 0
            samples = await _time(client, token, page, 100)
            _report("page of 50 refund decisions", samples)
            print(f"sql_statements_per_page={statements / len(samples):.0f}")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    asyncio.run(main(parser.parse_args().database_url))
