"""``mutations.base.run``: what a mutation does when it loses a race on a unique key, or
when PostgreSQL fails it to break a deadlock."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from service.graphql.errors import UserErrorCode
from service.graphql.mutations.base import WRITE_ATTEMPTS, allowed, run


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def integrity_error(sqlstate: str) -> IntegrityError:
    return IntegrityError("INSERT INTO orders ...", {}, DriverError(sqlstate))


def info_for(session: AsyncSession) -> Any:
    return SimpleNamespace(context=SimpleNamespace(session=session, db_lock=asyncio.Lock()))


async def test_work_that_lost_a_race_once_is_done_again(session: AsyncSession) -> None:
    attempts: list[int] = []

    async def work() -> str:
        attempts.append(len(attempts) + 1)
        if len(attempts) == 1:
            raise integrity_error("23505")
        return "done"

    assert await run(info_for(session), allowed, work) == ("done", [])
    assert attempts == [1, 2]


async def test_work_that_keeps_losing_races_is_a_conflict(session: AsyncSession) -> None:
    attempts = 0

    async def work() -> str:
        nonlocal attempts
        attempts += 1
        raise integrity_error("23505")

    result, errors = await run(info_for(session), allowed, work)
    assert result is None
    assert [e.code for e in errors] == [UserErrorCode.CONFLICT]
    assert attempts == WRITE_ATTEMPTS


async def test_other_integrity_errors_are_not_retried(session: AsyncSession) -> None:
    attempts = 0

    async def work() -> str:
        nonlocal attempts
        attempts += 1
        raise integrity_error("23503")  # foreign key violation: a bug, not a race

    with pytest.raises(IntegrityError):
        await run(info_for(session), allowed, work)
    assert attempts == 1


def deadlock() -> DBAPIError:
    return OperationalError("UPDATE case_states ...", {}, DriverError("40P01"))


async def test_work_failed_to_break_a_deadlock_is_done_again(session: AsyncSession) -> None:
    attempts: list[int] = []

    async def work() -> str:
        attempts.append(len(attempts) + 1)
        if len(attempts) == 1:
            raise deadlock()
        return "done"

    assert await run(info_for(session), allowed, work) == ("done", [])
    assert attempts == [1, 2]


async def test_work_failed_in_deadlocks_every_time_is_a_conflict(session: AsyncSession) -> None:
    attempts = 0

    async def work() -> str:
        nonlocal attempts
        attempts += 1
        raise deadlock()

    result, errors = await run(info_for(session), allowed, work)
    assert result is None
    assert [e.code for e in errors] == [UserErrorCode.CONFLICT]
    assert attempts == WRITE_ATTEMPTS


async def test_other_database_errors_are_not_retried(session: AsyncSession) -> None:
    attempts = 0

    async def work() -> str:
        nonlocal attempts
        attempts += 1
        raise OperationalError("SELECT ...", {}, DriverError("57014"))  # query canceled

    with pytest.raises(OperationalError):
        await run(info_for(session), allowed, work)
    assert attempts == 1
