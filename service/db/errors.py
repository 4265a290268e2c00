"""Recognising database errors the service can answer better than with a 500."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

_UNIQUE_VIOLATION = "23505"  # SQLSTATE, PostgreSQL
_SQLITE_UNIQUE = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether ``exc`` is a unique constraint refusing a duplicate key, as when two
    writers insert the same order number at the same moment."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate is not None:
        return bool(sqlstate == _UNIQUE_VIOLATION)
    return getattr(orig, "sqlite_errorname", None) in _SQLITE_UNIQUE
