"""The fast formatters give exactly what the standard library gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.decision.timefmt import SHANGHAI, hours, iso, local_en, local_time, local_zh

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Whole-minute offsets, as real zones have; UTC itself is the fast path of iso().
ZONES = st.one_of(
    st.just(UTC),
    st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda m: timezone(timedelta(minutes=m))
    ),
)
INSTANTS = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30), timezones=ZONES
)


@given(INSTANTS)
def test_iso_is_isoformat(dt: datetime) -> None:
    assert iso(dt) == dt.isoformat()


@given(INSTANTS)
def test_local_time_is_shanghai_wall_clock(dt: datetime) -> None:
    t = dt.astimezone(SHANGHAI)
    spec = "seconds" if t.second else "minutes"
    assert local_time(dt) == t.replace(tzinfo=None).isoformat(" ", spec) + " (UTC+8)"


@given(INSTANTS)
def test_local_zh_and_en_are_shanghai_day_and_minute(dt: datetime) -> None:
    t = dt.astimezone(SHANGHAI)
    assert local_zh(dt) == f"{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"
    assert local_en(dt) == f"{t.day} {MONTHS[t.month - 1]} {t.hour:02d}:{t.minute:02d}"


def test_shanghai_is_eight_hours_ahead_of_utc() -> None:
    dt = datetime(2026, 11, 24, 16, 30, 5, tzinfo=UTC)
    assert local_time(dt) == "2026-11-25 00:30:05 (UTC+8)"
    assert local_zh(dt) == "11月25日 00:30"
    assert local_en(dt) == "25 Nov 00:30"


@pytest.mark.parametrize(
    ("td", "text"),
    [
        (timedelta(hours=26), "26 h"),
        (timedelta(hours=24, minutes=30), "24 h 30 min"),
        (timedelta(hours=24, seconds=1), "24 h 0 min 1 s"),
        (timedelta(hours=2, microseconds=999_999), "2 h"),
        (timedelta(seconds=-1), "-0 h 0 min 1 s"),
        (timedelta(microseconds=-500_000), "0 h"),
        (timedelta(hours=-3), "-3 h"),
    ],
)
def test_hours_reads_like_an_agent_would(td: timedelta, text: str) -> None:
    assert hours(td) == text
