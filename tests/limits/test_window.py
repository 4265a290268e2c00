"""The in-memory counters answer as ``limits``' own sliding window counter does: both
are driven with the same hits on the same clock and every answer is compared."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from service.limits.window import SlidingWindows

LIMIT, EXPIRY = 100, 10

# A step: move the clock on (in quarter seconds, up to three windows), then one token
# spends some points.
steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4 * 3 * EXPIRY),
        st.sampled_from(["a", "b", "c"]),
        st.integers(min_value=1, max_value=LIMIT + 10),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(start=st.integers(min_value=0, max_value=4 * EXPIRY), moves=steps)
def test_every_answer_is_the_librarys(start: int, moves: list[tuple[int, str, int]]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        now = [1_000_000.0 + start / 4]
        patch.setattr(time, "time", lambda: now[0])
        item = RateLimitItemPerSecond(LIMIT, EXPIRY)
        library = SlidingWindowCounterRateLimiter(MemoryStorage())
        ours = SlidingWindows(LIMIT, EXPIRY)
        for quarters, token, cost in moves:
            now[0] += quarters / 4
            expected_allowed = library.hit(item, token, cost=cost)
            expected = library.get_window_stats(item, token)
            taken = ours.take(token, cost)
            assert (taken.allowed, taken.remaining, taken.reset_time) == (
                expected_allowed,
                expected.remaining,
                expected.reset_time,
            )


def test_tokens_idle_for_two_windows_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    windows = SlidingWindows(LIMIT, EXPIRY)
    windows.take("old", 5)
    now[0] += EXPIRY
    windows.take("recent", 5)
    # the next window's first new token sweeps "old" (its hit no longer counts) only
    now[0] += EXPIRY
    windows.take("new", 5)
    assert sorted(windows._windows) == ["new", "recent"]
    assert windows.take("recent", 1).remaining < LIMIT - 1  # still counting
