"""The DateTime scalar's supported range, against an oracle that converts to UTC by
hand: the shortcut for ordinary years must agree with it at every offset."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from service.graphql.scalars import in_supported_range

OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


def in_range_by_hand(moment: datetime) -> bool:
    offset = moment.utcoffset()
    assert offset is not None
    try:
        utc = moment.replace(tzinfo=None) - offset
    except OverflowError:  # off the calendar in UTC: certainly outside
        return False
    return datetime(2000, 1, 1) <= utc < datetime(2100, 1, 1)


@given(st.datetimes(timezones=OFFSETS))
def test_any_aware_time_is_judged_as_in_utc(moment: datetime) -> None:
    assert in_supported_range(moment) == in_range_by_hand(moment)


@given(
    st.datetimes(
        min_value=datetime(1999, 12, 30), max_value=datetime(2001, 1, 2), timezones=OFFSETS
    )
    | st.datetimes(
        min_value=datetime(2098, 12, 30), max_value=datetime(2100, 1, 2), timezones=OFFSETS
    )
)
def test_times_near_the_ends_are_judged_as_in_utc(moment: datetime) -> None:
    assert in_supported_range(moment) == in_range_by_hand(moment)


def test_the_ends_themselves() -> None:
    plus_14 = timezone(timedelta(hours=14))
    minus_12 = timezone(timedelta(hours=-12))
    assert in_supported_range(datetime(2000, 1, 1, 14, tzinfo=plus_14))
    assert not in_supported_range(datetime(2000, 1, 1, 13, 59, tzinfo=plus_14))
    assert in_supported_range(datetime(2099, 12, 31, 11, 59, tzinfo=minus_12))
    assert not in_supported_range(datetime(2099, 12, 31, 12, tzinfo=minus_12))
    assert in_supported_range(datetime(2001, 1, 1, 23, tzinfo=plus_14))
