"""How instants and durations read in rationales, trace reasons, facts and scripts.

Every decision shows a few instants in Shanghai time, and ``astimezone`` plus
``isoformat`` cost about a microsecond each (see ``bench/decision_bench.py``).
Here an instant becomes whole seconds since the epoch, and the calendar part
comes from a small table of the days already seen: an after-sales workload
touches a few dozen distinct days, so the table stays tiny and the arithmetic
stays exact. The results equal the standard library's
(``tests/decision/test_timefmt.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# Asia/Shanghai has kept UTC+8 without DST since 1991: a fixed offset is exact
# for every date the service sees and far cheaper than a zoneinfo lookup.
_SHANGHAI_OFFSET = timedelta(hours=8)
SHANGHAI = timezone(_SHANGHAI_OFFSET, "CST")
_SHANGHAI_OFFSET_S = int(_SHANGHAI_OFFSET.total_seconds())

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Day number since the epoch -> (ISO date, zh-CN month/day, en day/month).
_DAYS: dict[int, tuple[str, str, str]] = {}
_DAYS_MAX = 4096  # about eleven years of distinct days before the table starts over
# "00".."59": indexing beats a format spec, which is parsed on every call.
_2D = tuple(f"{i:02d}" for i in range(60))


def _day(n: int) -> tuple[str, str, str]:
    d = date.fromordinal(_EPOCH_ORDINAL + n)
    names = (d.isoformat(), f"{d.month}月{d.day}日", f"{d.day} {_MONTHS[d.month]}")
    if len(_DAYS) >= _DAYS_MAX:
        _DAYS.clear()
    _DAYS[n] = names
    return names


# Each formatter below repeats the same four lines instead of calling a shared
# helper: a Python call and its tuple cost as much as the arithmetic itself.
# Aware subtraction from the epoch is exact whatever the zone; dropping
# microseconds truncates like isoformat(timespec="seconds").


def local_time(dt: datetime) -> str:
    """``2026-11-25 18:00 (UTC+8)``: Shanghai wall-clock time for steps, rationales,
    trace reasons and signals, matching the local times the scripts show.

    Seconds appear only when not zero (``18:00:01``), since boundaries are exact.
    """
    td = dt - _EPOCH
    day, rem = divmod(td.days * 86400 + td.seconds + _SHANGHAI_OFFSET_S, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    iso_date = (_DAYS.get(day) or _day(day))[0]
    if s:
        return f"{iso_date} {_2D[h]}:{_2D[m]}:{_2D[s]} (UTC+8)"
    return f"{iso_date} {_2D[h]}:{_2D[m]} (UTC+8)"


def local_zh(dt: datetime) -> str:
    """``11月25日 18:00`` in Shanghai time."""
    td = dt - _EPOCH
    day, rem = divmod(td.days * 86400 + td.seconds + _SHANGHAI_OFFSET_S, 86400)
    h, rem = divmod(rem, 3600)
    return f"{(_DAYS.get(day) or _day(day))[1]} {_2D[h]}:{_2D[rem // 60]}"


def local_en(dt: datetime) -> str:
    """``25 Nov 18:00`` in Shanghai time."""
    td = dt - _EPOCH
    day, rem = divmod(td.days * 86400 + td.seconds + _SHANGHAI_OFFSET_S, 86400)
    h, rem = divmod(rem, 3600)
    return f"{(_DAYS.get(day) or _day(day))[2]} {_2D[h]}:{_2D[rem // 60]}"


def iso(dt: datetime) -> str:
    """Exactly ``dt.isoformat()``, built from the tables when ``dt`` is in UTC (as
    everything read from the database is) and with no sub-second part."""
    if dt.tzinfo is not UTC:
        return dt.isoformat()
    td = dt - _EPOCH
    if td.microseconds:
        return dt.isoformat()
    day, rem = divmod(td.days * 86400 + td.seconds, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return f"{(_DAYS.get(day) or _day(day))[0]}T{_2D[h]}:{_2D[m]}:{_2D[s]}+00:00"


def hours(td: timedelta) -> str:
    """A duration as the agent reads it: ``26 h``, ``24 h 30 min``, ``24 h 0 min 1 s``.

    Seconds are kept because boundaries are exact (24 h 0 min 1 s is past a 24 h limit).
    Sub-second parts are dropped, truncating toward zero.
    """
    total = td.days * 86400 + td.seconds
    if total < 0 and td.microseconds:
        total += 1  # -0.5 s reads as 0 s, like int(td.total_seconds())
    if total < 0:
        sign = "-"
        total = -total
    else:
        sign = ""
    h, rem = divmod(total, 3600)
    if not rem:
        return f"{sign}{h} h"
    m, s = divmod(rem, 60)
    if s:
        return f"{sign}{h} h {m} min {s} s"
    return f"{sign}{h} h {m} min"
