"""Engine and session factory for the configured database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from service.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine tuned for the dialect: a pooled, pre-pinged PostgreSQL
    connection pool, or an SQLite file with foreign keys and WAL on."""
    kwargs: dict[str, Any] = {"echo": settings.db_echo}
    if settings.dialect == "postgresql":
        kwargs |= {
            "pool_size": settings.db_pool_size,
            "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout_s,
            # A restarted PostgreSQL leaves dead idle connections; ping before use.
            "pool_pre_ping": True,
            "pool_recycle": 1800,
            # Without it asyncpg waits a minute for a host that drops packets.
            "connect_args": {"timeout": settings.db_pool_timeout_s},
        }
    else:
        kwargs["connect_args"] = {"timeout": settings.db_pool_timeout_s}
    engine = create_async_engine(settings.url, **kwargs)
    if settings.dialect == "sqlite":
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets readers go on while a writer commits; busy_timeout waits out a
        # concurrent writer instead of failing with "database is locked".
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after the request's commit.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def begin_write(session: AsyncSession) -> None:
    """Before a unit of work that reads and then writes: on SQLite, take the
    database's write lock now.

    SQLite starts transactions deferred: the first read pins a snapshot, and if
    another connection commits before this one writes, the write fails at once
    with "database is locked" (waiting cannot help, the snapshot is stale).
    ``BEGIN IMMEDIATE`` takes the write lock up front, waiting for the current
    writer up to ``busy_timeout``. A connection already in a transaction has
    written (reads outside one do not open it) and so holds the lock already.
    PostgreSQL needs nothing: its writes lock what they touch.
    """
    conn = await session.connection()
    if conn.dialect.name != "sqlite":
        return
    raw = await conn.get_raw_connection()
    if not raw.driver_connection.in_transaction:  # type: ignore[union-attr]
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
