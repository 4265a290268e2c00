"""A token's bucket drains and refills as a leaky bucket, whatever its size: checked
on a clock the test moves (the ``limits`` library reads ``time.time``)."""

from __future__ import annotations

import time

import pytest

from service.limits.bucket import CostBuckets


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # A window of the buckets below starts at a multiple of 10 s.
    fake = Clock(1_000_000.0)
    monkeypatch.setattr(time, "time", fake)
    return fake


async def test_spent_points_come_back_at_the_restore_rate(clock: Clock) -> None:
    # given a bucket of 100 points restoring 10 a second, emptied at once
    buckets = CostBuckets(100, 10)
    spent = await buckets.take("token:1", 100)
    assert (spent.allowed, spent.available) == (True, 0)
    # when a point more is asked for, then it is refused with a time to wait
    refused = await buckets.take("token:1", 1)
    assert not refused.allowed
    assert refused.retry_after_s >= 1
    # then, through the next window, the points come back at 10 a second
    assert [await available_after(clock, seconds) for seconds in (10, 12.5, 15, 17.5, 20)] == [
        0,
        25,
        50,
        75,
        100,
    ]


async def available_after(clock: Clock, seconds: float) -> int:
    """What a bucket of 100 points restoring 10 a second holds ``seconds`` after it was
    emptied at the start of a window."""
    clock.now = 1_000_000.0
    buckets = CostBuckets(100, 10)
    assert (await buckets.take("token:1", 100)).allowed
    clock.now += seconds
    probe = await buckets.take("token:1", 1)
    return probe.available + (1 if probe.allowed else 0)


async def test_a_big_bucket_still_refuses_what_it_does_not_hold(clock: Clock) -> None:
    # given a bucket of a million points (as a bench raises it)
    buckets = CostBuckets(1_000_000, 1_000_000)
    # when a token spends it in many small hits
    for _ in range(1000):
        assert (await buckets.take("token:1", 1000)).allowed
    # then the next is refused, and another token's bucket is untouched
    assert not (await buckets.take("token:1", 1)).allowed
    assert (await buckets.take("token:2", 1)).available == 999_999
