"""Scalars: an ISO-8601 DateTime that refuses times without a zone or outside the
calendar a real case lives in, and a Decimal that takes money in one spelling only."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import strawberry
from strawberry.types.scalar import ScalarDefinition

# The times a real case can have. Outside this range shifting a time between zones, or
# adding a deadline's hours to it, can leave the calendar (year 9999 + 48 h); such a
# time is refused where it enters, never stored.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
RANGE_TEXT = "2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z"


def in_supported_range(moment: datetime) -> bool:
    year = moment.year
    if 2000 < year < 2099 and moment.tzinfo is not None:
        # An offset is less than a day, so these years stay inside the range in UTC:
        # no comparison of aware times (about 0.4 µs each, and a request parses ten).
        return True
    # The year test first: comparing aware times converts them to UTC, which itself
    # overflows at the calendar's ends.
    return 1999 <= year <= 2100 and EARLIEST <= moment < LATEST


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO-8601 date-time: {value!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"date-time {value!r} has no UTC offset (add Z or +08:00)")
    if not in_supported_range(parsed):
        raise ValueError(f"date-time {value!r} is outside the supported range {RANGE_TEXT}")
    return parsed


# Replaces Strawberry's own DateTime (which accepts naive times) for every datetime.
AWARE_DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An ISO-8601 date-time with a UTC offset, e.g. 2026-11-24T10:00:00+08:00."
    f" Times without an offset are refused, and so are times outside {RANGE_TEXT}."
    " Output is always in UTC.",
    serialize=lambda value: value.astimezone(UTC).isoformat(),
    parse_value=lambda value: parse_datetime(value),
)

# Plain ASCII decimal notation: an optional minus, digits, an optional fraction. Python's
# Decimal() also reads "１２", "١٢", "1_000", " 12.34 ", "1E+1" and "NaN"; none of those is
# how money is written on the wire, and "1e999999999" overflows the first sum it enters.
_DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**20:
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return Decimal(value)
    raise ValueError(
        'Decimal must be a string in plain decimal notation such as "89.90"'
        " (ASCII digits, an optional '-' and '.', no exponent, spaces or separators)"
    )


EXACT_DECIMAL: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number as a string in plain notation, e.g. "89.90" or'
    ' "-5": ASCII digits, an optional leading "-" and one ".", at most 20 digits on either'
    " side. Exponents, spaces, digit separators and non-ASCII digits are refused. Amounts"
    " of money are CNY (yuan).",
    serialize=str,
    parse_value=parse_decimal,
)
