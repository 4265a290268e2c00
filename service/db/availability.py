"""Recognising "the database cannot be reached right now", which the service answers
with HTTP 503 ``DATABASE_UNAVAILABLE`` (retryable) instead of a 500.

A restarting PostgreSQL shows up in several ways: connections refused while it is
down, "the database system is shutting down / starting up" (SQLSTATE 57P01-57P03), a
connection cut under a running statement (class 08, or asyncpg's own
``ConnectionDoesNotExistError``), a later statement of a transaction whose connection
was so lost, or a pool that cannot hand out a connection in time.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03"}
_CONNECTION_CLASS = "08"
_ASYNCPG_CONNECTION_ERRORS = {
    "ConnectionDoesNotExistError",
    "ConnectionFailureError",
    "CannotConnectNowError",
}
MAX_CAUSES = 8
_INVALIDATED = "Can't reconnect until invalid transaction is rolled back"


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means the database is out of reach."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < MAX_CAUSES:
        if _is_unavailable_one(current):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def _is_unavailable_one(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, PendingRollbackError) and str(exc).startswith(_INVALIDATED):
        # The connection was lost under this transaction and a second statement came:
        # two loaders share a request's session, and the second reads after the first
        # met the outage. (The other PendingRollbackError, after a failed flush, is a bug.)
        return True
    if isinstance(exc, OSError) and exc.errno is not None:
        return True  # refused, unreachable, reset: the socket never got an answer
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        return exc.orig is not None and _is_unavailable_one(exc.orig)
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str) and (
        sqlstate in _UNAVAILABLE_SQLSTATES or sqlstate.startswith(_CONNECTION_CLASS)
    ):
        return True
    module = type(exc).__module__ or ""
    return module.startswith("asyncpg") and type(exc).__name__ in _ASYNCPG_CONNECTION_ERRORS
