"""Alembic is the only way the schema is made: it must round-trip and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from service.db.base import Base
from service.db.migrations import (
    current_revision,
    downgrade_async,
    head_revision,
    upgrade_async,
)
from tests.conftest import scratch_url


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_upgrade_downgrade_upgrade_and_no_autogenerate_diff(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async for url in scratch_url(backend, tmp_path_factory):
        engine = create_async_engine(url)
        try:
            # given an empty database
            # when it is upgraded, downgraded and upgraded again
            await upgrade_async(engine)
            async with engine.connect() as conn:
                assert await conn.run_sync(_tables) == set(Base.metadata.tables)
            await downgrade_async(engine)
            async with engine.connect() as conn:
                assert await conn.run_sync(_tables) == set()
            await upgrade_async(engine)

            # then it is at head and the models match the migrations exactly
            assert await current_revision(engine) == head_revision()
            async with engine.connect() as conn:
                assert await conn.run_sync(_diff) == []
        finally:
            await engine.dispose()
