"""Each token's bucket of query-cost points, counted as the ``limits`` library counts.

``limits`` has no leaky bucket as such; its sliding window counter behaves as one. A
token spends from windows of ``points / restore_per_s`` seconds (20 s with the
defaults), at most ``points`` counted across the last window: what the current window
spent, plus what the previous one spent in proportion to how much of it still lies
within the last window's length. Points spent in one window therefore come back at
``restore_per_s`` a second through the next, as a leaky bucket drains; bursts go up to
``points``. Each hit is two counters, whatever the bucket's size. (The moving window
this replaced kept one list slot per point spent and moved them all on every request:
45 µs a request with a bucket of a million points.)

The counters live in this replica's memory by default, or in Redis
(``AFTERSALES_REDIS_URL``) so that every replica draws from one bucket per token. If
Redis cannot be reached the request is let through (and logged): an outage of the
limiter must not become an outage of the API.

In memory the counters are :mod:`service.limits.window`'s: the same arithmetic as
``limits``' strategy, called straight from the event loop, with none of its storage's
per-key locks, expiry bookkeeping and sweeping thread.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from service.limits.window import SlidingWindows

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
        # One of the two is set: Redis through the asyncio API, memory without it.
        self.storage: Storage | None = None
        self.limiter: SlidingWindowCounterRateLimiter | None = None
        self.local: SlidingWindows | None = None
        if redis_url:
            shared = storage_from_string(f"async+{redis_url}")
            assert isinstance(shared, Storage)  # the async+ scheme gives an async storage
            self.storage = shared
            self.limiter = SlidingWindowCounterRateLimiter(shared)
        else:
            self.local = SlidingWindows(points, self.window_s)

    async def take(self, token: str, cost: int) -> BucketState:
        """Spend ``cost`` points of ``token``'s bucket if it holds them."""
        cost = max(1, cost)  # every request spends something, even a free one
        if self.local is not None:
            taken = self.local.take(token, cost)
            return self._state(taken.allowed, cost, taken.remaining, taken.reset_time)
        assert self.limiter is not None
        try:
            allowed = cost <= self.points and await self.limiter.hit(self.item, token, cost=cost)
            stats = await self.limiter.get_window_stats(self.item, token)
        except Exception as exc:  # Redis away: let the request through
            log.warning("rate limiter unavailable, not limiting: %s", type(exc).__name__)
            return BucketState(True, self.points, self.points, self.restore_per_s, 0)
        return self._state(allowed, cost, stats.remaining, stats.reset_time)

    async def clear(self, token: str) -> None:
        """Empty ``token``'s window: its bucket is full again."""
        if self.local is not None:
            self.local.clear(token)
        else:
            assert self.limiter is not None
            await self.limiter.clear(self.item, token)

    def _state(self, allowed: bool, cost: int, remaining: int, reset_time: float) -> BucketState:
        retry_after = 0
        if not allowed:
            retry_after = max(
                1,
                math.ceil((cost - remaining) / self.restore_per_s),
                math.ceil(reset_time - time.time()),
            )
        return BucketState(allowed, self.points, remaining, self.restore_per_s, retry_after)
