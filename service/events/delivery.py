"""Delivering webhooks: at least once, in order per case, with backoff.

A pass claims due deliveries in a short transaction: on PostgreSQL with
``FOR UPDATE SKIP LOCKED``, so workers sharing the outbox never take the same row,
and by moving ``next_attempt_at`` one lease ahead (and counting the attempt). The
HTTP requests run outside any transaction; a second one writes the outcomes. A
worker that dies mid-delivery leaves the row pending: once its lease passes another
pass sends it again (at least once; receivers dedupe on ``webhook-id``).

Only the oldest pending delivery of a case and endpoint is ever due, so a case's
events arrive in the order they happened, also across retries.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy import (
    BigInteger,
    Integer,
    Table,
    Text,
    and_,
    bindparam,
    column,
    exists,
    func,
    select,
    update,
    values,
)
from sqlalchemy import cast as cast_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, aliased

from service.config import Settings
from service.db.engine import begin_write
from service.db.models import CaseEvent, WebhookDelivery, WebhookEndpoint
from service.events import metrics, outbox, signing, types
from service.events.addresses import (
    Lookup,
    PinnedResolver,
    UnsafeUrl,
    check_addresses,
    check_shape,
    literal_address,
    system_lookup,
)

log = logging.getLogger(__name__)

PENDING = outbox.PENDING
DELIVERED = "DELIVERED"
FAILED = "FAILED"
# Retries stop this long after the event; the backoff doubles up to MAX_BACKOFF.
GIVE_UP_AFTER = timedelta(hours=24)
FIRST_BACKOFF = timedelta(seconds=5)
MAX_BACKOFF = timedelta(hours=2)
# Enough of a receiver's answer for the log; the rest is never read.
MAX_RESPONSE_BYTES = 16 * 1024


def _utcnow() -> datetime:
    return datetime.now(UTC)


def backoff(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """The wait after the ``attempts``-th failure: exponential, with the upper half
    jittered so that retries of many deliveries spread out."""
    base: timedelta = min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
    factor: float = 0.5 + 0.5 * rng()
    return base * factor


@dataclass(frozen=True)
class Claimed:
    id: int
    endpoint_id: int
    url: str
    secret: str
    uid: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    status_code: int | None
    latency_ms: int | None
    error: str | None
    # False: not sent at all (the lease would have run out mid-request); handed back.
    sent: bool = True

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim(session: Session, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    d = WebhookDelivery
    older = aliased(WebhookDelivery)
    # The head of each case's line is its oldest pending delivery (per endpoint). A
    # correlated min() per due row is one probe of the line index; both an aggregate
    # over every pending row and an anti-join grow with the backlog, every claim.
    head = (
        select(func.min(older.id))
        .where(
            older.endpoint_id == d.endpoint_id,
            older.case_key == d.case_key,
            older.status == PENDING,
        )
        .correlate(d)
        .scalar_subquery()
    )
    enabled = exists().where(WebhookEndpoint.id == d.endpoint_id, WebhookEndpoint.enabled)
    stmt = (
        select(d.id)
        .where(d.status == PENDING, d.next_attempt_at <= now, d.id == head, enabled)
        .order_by(d.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=d)
    )
    ids = list(session.execute(stmt).scalars())
    if not ids:
        return []
    session.execute(
        update(d).where(d.id.in_(ids)).values(next_attempt_at=now + lease, attempts=d.attempts + 1)
    )
    # The payload as stored (JSON text): sent as it is, never decoded and re-encoded.
    rows = session.execute(
        select(
            d.id,
            d.endpoint_id,
            WebhookEndpoint.url,
            WebhookEndpoint.secret,
            CaseEvent.uid,
            cast_(CaseEvent.payload, Text).label("body"),
            CaseEvent.created_at,
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
        .join(CaseEvent, CaseEvent.id == d.event_id)
        .where(d.id.in_(ids))
        .order_by(d.id)
    ).all()
    return [
        Claimed(
            id=r.id,
            endpoint_id=r.endpoint_id,
            url=r.url,
            secret=r.secret,
            uid=r.uid,
            body=r.body,
            created_at=r.created_at,
        )
        for r in rows
    ]


def queue_lag(session: Session, now: datetime) -> float:
    oldest = session.execute(
        select(func.min(WebhookDelivery.next_attempt_at)).where(WebhookDelivery.status == PENDING)
    ).scalar_one_or_none()
    return max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0


def disable_endpoint(session: Session, endpoint_id: int, reason: str, now: datetime) -> None:
    """Disable an endpoint, fail its pending deliveries and announce it."""
    ep = session.get(WebhookEndpoint, endpoint_id)
    if ep is None or not ep.enabled:
        return
    ep.enabled = False
    ep.disabled_reason = reason[:200]
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == PENDING)
        .values(status=FAILED, last_error="endpoint disabled")
    )
    session.flush()
    ev = outbox.event(
        ep.shop_id,
        types.ENDPOINT_DISABLED,
        f"ENDPOINT:{endpoint_id}",
        f"ed:{endpoint_id}:{now.isoformat()}",
        now,
        {"endpointId": endpoint_id, "url": ep.url, "reason": ep.disabled_reason},
        uid=f"evt_ed{endpoint_id}_{int(now.timestamp())}",
    )
    outbox.write(session, [ev], now)


def record(session: Session, outcomes: Sequence[Outcome], now: datetime, max_failures: int) -> None:
    delivered = [o for o in outcomes if o.delivered]
    if delivered:
        metrics.DELIVERIES.labels("delivered").inc(len(delivered))
        _mark_delivered(session, delivered, now)
        ok_endpoints = sorted({o.claimed.endpoint_id for o in delivered})
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id.in_(ok_endpoints), WebhookEndpoint.consecutive_failures != 0)
            .values(consecutive_failures=0)
        )
    unsent = [o.claimed.id for o in outcomes if not o.sent]
    if unsent:
        # Due again at once, the attempt not counted: nothing went out.
        d = WebhookDelivery
        session.execute(
            update(d)
            .where(d.id.in_(unsent), d.status == PENDING)
            .values(next_attempt_at=now, attempts=d.attempts - 1)
        )
    for o in outcomes:
        if o.sent and not o.delivered:
            _failed(session, o, now, max_failures)


def _mark_delivered(session: Session, delivered: Sequence[Outcome], now: datetime) -> None:
    # Only rows this pass still holds (a replay or a disable may have moved them). On
    # PostgreSQL one statement joining a VALUES list; SQLite cannot name a VALUES
    # list's columns, and takes an executemany.
    d = WebhookDelivery
    if session.get_bind().dialect.name != "postgresql":
        table = cast(Table, d.__table__)
        stmt = (
            table.update()
            .where(table.c.id == bindparam("d_id"), table.c.status == PENDING)
            .values(
                status=DELIVERED,
                delivered_at=now,
                last_status_code=bindparam("d_code"),
                last_latency_ms=bindparam("d_ms"),
                last_error=None,
            )
        )
        rows = [
            {"d_id": o.claimed.id, "d_code": o.status_code, "d_ms": o.latency_ms} for o in delivered
        ]
        session.connection().execute(stmt, rows)
        return
    got = values(
        column("d_id", BigInteger),
        column("d_code", Integer),
        column("d_ms", Integer),
        name="got",
    ).data([(o.claimed.id, o.status_code, o.latency_ms) for o in delivered])
    session.execute(
        update(d)
        .where(d.id == got.c.d_id, d.status == PENDING)
        .values(
            status=DELIVERED,
            delivered_at=now,
            last_status_code=got.c.d_code,
            last_latency_ms=got.c.d_ms,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )


def _failed(session: Session, o: Outcome, now: datetime, max_failures: int) -> None:
    d = WebhookDelivery
    c = o.claimed
    common: dict[str, Any] = {
        "last_status_code": o.status_code,
        "last_latency_ms": o.latency_ms,
        "last_error": o.error[:300] if o.error else None,
    }
    mine = and_(d.id == c.id, d.status == PENDING)
    if o.status_code == 410:
        metrics.DELIVERIES.labels("gone").inc()
        session.execute(update(d).where(mine).values(status=FAILED, **common))
        disable_endpoint(session, c.endpoint_id, "the receiver answered 410 Gone", now)
        return
    attempts = session.execute(select(d.attempts).where(d.id == c.id)).scalar_one()
    if now - c.created_at >= GIVE_UP_AFTER:
        metrics.DELIVERIES.labels("failed").inc()
        session.execute(update(d).where(mine).values(status=FAILED, **common))
    else:
        metrics.DELIVERIES.labels("retry").inc()
        retry_at = now + backoff(attempts)
        session.execute(update(d).where(mine).values(next_attempt_at=retry_at, **common))
    session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == c.endpoint_id)
        .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
    )
    failures = session.execute(
        select(WebhookEndpoint.consecutive_failures).where(WebhookEndpoint.id == c.endpoint_id)
    ).scalar_one()
    if failures >= max_failures:
        disable_endpoint(session, c.endpoint_id, f"{failures} consecutive failed deliveries", now)


@dataclass
class Deliverer:
    """Sends due deliveries; one per process, its HTTP connections kept alive.

    ``lanes`` claim-send-record loops run at once, so one lane's database round trips
    overlap another's HTTP calls; all share ``in_flight`` concurrent requests. Per-case
    order does not depend on either: only a case's oldest pending delivery is claimable,
    and once claimed it is leased, so the next one waits for its outcome."""

    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Callable[[], datetime] = _utcnow
    batch: int = 500
    in_flight: int = 64
    lanes: int = 2
    lease: timedelta = timedelta(seconds=60)
    # Tests inject a resolver (DNS rebinding) and a CA (an HTTPS receiver).
    lookup: Lookup = system_lookup
    ssl_context: ssl.SSLContext | None = None
    _http: aiohttp.ClientSession | None = field(init=False, default=None)
    _slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.lease = timedelta(seconds=self.settings.webhook_lease_s)
        self._slots = asyncio.Semaphore(self.in_flight)

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            connector = aiohttp.TCPConnector(
                limit=self.in_flight,
                limit_per_host=0,
                # No DNS cache: every new connection is resolved and checked afresh,
                # by the resolver whose answer it then connects to.
                use_dns_cache=False,
                resolver=PinnedResolver(self.settings, self.lookup),
                ssl=self.ssl_context if self.ssl_context is not None else True,
            )
            self._http = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.settings.webhook_timeout_s),
                trust_env=False,
                auto_decompress=False,
                skip_auto_headers=("Accept-Encoding",),
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def run_batch(self) -> int:
        """Claim, send and record one batch; the number of deliveries attempted."""
        # A request may start only if it ends (times out at worst) within the lease:
        # after that another worker may claim the row, and the two must never both
        # be sending it. (A lease shorter than the timeout, against the setting's
        # advice, cannot promise that; half of it still lets batches progress.)
        lease_s = self.lease.total_seconds()
        start_by = time.monotonic() + max(lease_s - self.settings.webhook_timeout_s, lease_s / 2)
        async with self.sessionmaker() as session:
            await begin_write(session)
            now = self.clock()
            claimed = await session.run_sync(claim, now, self.batch, self.lease)
            lag = await session.run_sync(queue_lag, now)
            await session.commit()
        metrics.QUEUE_LAG.set(lag)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self._send(c, start_by) for c in claimed))
        async with self.sessionmaker() as session:
            await begin_write(session)
            await session.run_sync(
                record, outcomes, self.clock(), self.settings.webhook_max_failures
            )
            await session.commit()
        return sum(1 for o in outcomes if o.sent)

    async def run_once(self) -> int:
        """Batches until nothing is due; the number of deliveries attempted."""

        async def lane() -> int:
            total = 0
            while n := await self.run_batch():
                total += n
            return total

        return sum(await asyncio.gather(*(lane() for _ in range(max(self.lanes, 1)))))

    async def _send(self, c: Claimed, start_by: float) -> Outcome:
        async with self._slots:
            started = time.monotonic()
            if started > start_by:
                return Outcome(c, None, None, None, sent=False)
            try:
                # The shape and literal addresses here; names are checked by the
                # resolver as the connection is made (pinned, see addresses.py).
                check_shape(c.url, self.settings)
                host = urlsplit(c.url).hostname or ""
                literal = literal_address(host)
                if literal is not None:
                    check_addresses(host, [literal], self.settings)
                headers = signing.headers(c.secret, c.uid, _utcnow(), c.body)
                async with self._client().post(
                    c.url, data=c.body.encode(), headers=headers, allow_redirects=False
                ) as r:
                    seen = 0
                    while seen < MAX_RESPONSE_BYTES:
                        chunk = await r.content.read(MAX_RESPONSE_BYTES - seen)
                        if not chunk:
                            break
                        seen += len(chunk)
                    code = r.status
            except UnsafeUrl as exc:
                return Outcome(c, None, None, f"refused: {exc}")
            except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
                return Outcome(c, None, _ms(started), f"{type(exc).__name__}: {exc}"[:300])
        latency = time.monotonic() - started
        metrics.DELIVERY_LATENCY.observe(latency)
        return Outcome(c, code, int(latency * 1000), None if 200 <= code < 300 else f"HTTP {code}")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
