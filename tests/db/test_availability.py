"""Which failures mean "the database is out of reach" (503, retryable) and which not."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.db.availability import is_unavailable


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(orig: BaseException) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        PoolTimeout("QueuePool limit reached"),
        _wrapped(_PgError("57P01")),  # terminating connection due to administrator command
        _wrapped(_PgError("57P03")),  # the database system is starting up
        _wrapped(_PgError("08006")),  # connection failure
    ],
)
def test_unreachable(exc: BaseException) -> None:
    assert is_unavailable(exc)


def test_a_cause_down_the_chain_counts() -> None:
    try:
        try:
            raise ConnectionResetError(104, "reset by peer")
        except ConnectionResetError as inner:
            raise RuntimeError("while reading") from inner
    except RuntimeError as outer:
        assert is_unavailable(outer)


@pytest.mark.parametrize(
    "exc",
    [
        IntegrityError("INSERT", {}, _PgError("23505")),
        _wrapped(_PgError("42P01")),  # undefined table: a bug, not an outage
        ValueError("bad input"),
        KeyError("x"),
    ],
)
def test_not_unreachable(exc: BaseException) -> None:
    assert not is_unavailable(exc)
