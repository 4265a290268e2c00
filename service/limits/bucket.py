"""Each token's bucket of query-cost points, kept by the ``limits`` library.

``limits`` has no leaky bucket as such; its moving window gives the same guarantees
with exact accounting: a token may spend at most ``points`` in any ``points /
restore_per_s`` seconds, and every point spent comes back that long after it was
spent. Sustained, that is ``restore_per_s`` points a second, bursts up to ``points``.

The window lives in this replica's memory by default, or in Redis
(``AFTERSALES_REDIS_URL``) so that every replica draws from one bucket per token. If
Redis cannot be reached the request is let through (and logged): an outage of the
limiter must not become an outage of the API.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

log = logging.getLogger(__name__)

NAMESPACE = "aftersales-cost"


@dataclass(frozen=True)
class BucketState:
    allowed: bool
    maximum: int
    available: int
    restore_per_s: int
    retry_after_s: int

    def as_extension(self) -> dict[str, int]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": self.available,
            "restoreRate": self.restore_per_s,
        }


class CostBuckets:
    def __init__(self, points: int, restore_per_s: int, redis_url: str | None = None) -> None:
        self.points = points
        self.restore_per_s = restore_per_s
        self.window_s = max(1, math.ceil(points / restore_per_s))
        self.item = RateLimitItemPerSecond(points, self.window_s, namespace=NAMESPACE)
        storage: Storage = MemoryStorage()
        if redis_url:
            shared = storage_from_string(f"async+{redis_url}")
            assert isinstance(shared, Storage)  # the async+ scheme gives an async storage
            storage = shared
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)

    async def take(self, token: str, cost: int) -> BucketState:
        """Spend ``cost`` points of ``token``'s bucket if it holds them."""
        cost = max(1, cost)  # every request spends something, even a free one
        try:
            allowed = cost <= self.points and await self.limiter.hit(self.item, token, cost=cost)
            stats = await self.limiter.get_window_stats(self.item, token)
        except Exception as exc:  # Redis away: let the request through
            log.warning("rate limiter unavailable, not limiting: %s", type(exc).__name__)
            return BucketState(True, self.points, self.points, self.restore_per_s, 0)
        retry_after = 0
        if not allowed:
            missing = cost - stats.remaining
            retry_after = max(
                1,
                math.ceil(missing / self.restore_per_s),
                math.ceil(stats.reset_time - time.time()),
            )
        return BucketState(allowed, self.points, stats.remaining, self.restore_per_s, retry_after)
