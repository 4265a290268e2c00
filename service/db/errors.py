"""Recognising database errors the service can answer better than with a 500."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError

_UNIQUE_VIOLATION = "23505"  # SQLSTATE, PostgreSQL
_SQLITE_UNIQUE = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
# Deadlock detected, serialization failure: PostgreSQL failed this transaction so that
# another could go on; the same work done again normally succeeds.
_TRANSIENT = ("40P01", "40001")


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    found = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return str(found) if found is not None else None


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether ``exc`` is a unique constraint refusing a duplicate key, as when two
    writers insert the same order number at the same moment."""
    sqlstate = _sqlstate(exc)
    if sqlstate is not None:
        return sqlstate == _UNIQUE_VIOLATION
    return getattr(exc.orig, "sqlite_errorname", None) in _SQLITE_UNIQUE


def is_transient_conflict(exc: DBAPIError) -> bool:
    """Whether PostgreSQL gave up this transaction for another's sake (a deadlock, as
    when a policy change marks a shop's states stale while the refresher rewrites some
    of them): the work may simply be done again."""
    return _sqlstate(exc) in _TRANSIENT


def is_concurrent_conflict(exc: DBAPIError) -> bool:
    """Whether a concurrent writer made this work fail, so that doing it again may
    succeed: it inserted the same key first (:func:`is_unique_violation`), or
    PostgreSQL gave this transaction up for its sake (:func:`is_transient_conflict`)."""
    if isinstance(exc, IntegrityError):
        return is_unique_violation(exc)
    return is_transient_conflict(exc)
