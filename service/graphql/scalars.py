"""Scalars: an ISO-8601 DateTime that refuses times without a zone."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types.scalar import ScalarDefinition

# Replaces Strawberry's own DateTime (which accepts naive times) for every datetime.
AWARE_DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An ISO-8601 date-time with a UTC offset, e.g. 2026-11-24T10:00:00+08:00."
    " Times without an offset are refused. Output is always in UTC.",
    serialize=lambda value: value.astimezone(UTC).isoformat(),
    parse_value=lambda value: parse_datetime(value),
)


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO-8601 date-time: {value!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"date-time {value!r} has no UTC offset (add Z or +08:00)")
    return parsed


# The times a real case can have. Outside this range shifting a time between zones, or
# adding a deadline's hours to it, can leave the calendar (year 9999 + 48 h); such a
# time is refused where it enters, never stored.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def in_supported_range(moment: datetime) -> bool:
    # The year test first: comparing aware times converts them to UTC, which itself
    # overflows at the calendar's ends.
    return 1999 <= moment.year <= 2100 and EARLIEST <= moment < LATEST
