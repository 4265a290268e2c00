"""Which failures mean "the database is out of reach" (503, retryable) and which not."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

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


class _Base(DeclarativeBase):
    pass


class _Row(_Base):
    __tablename__ = "t"
    id: Mapped[int] = mapped_column(primary_key=True)


def test_a_statement_after_the_connection_was_lost_in_its_transaction_counts() -> None:
    # given a transaction whose connection was invalidated (lost) under it
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.invalidate()
        # when another statement of the same transaction comes
        with pytest.raises(PendingRollbackError) as caught:
            conn.execute(text("SELECT 1"))
    # then it is the outage, not a bug
    assert is_unavailable(caught.value)


def test_a_statement_after_a_failed_flush_is_a_bug() -> None:
    # given a session whose flush failed and was not rolled back
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with Session(engine) as session:
        session.add(_Row(id=1))
        with pytest.raises(IntegrityError):
            session.flush()
        with pytest.raises(PendingRollbackError) as caught:
            session.execute(text("SELECT 1"))
    assert not is_unavailable(caught.value)
