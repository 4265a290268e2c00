"""Alembic is the only way the schema is made: it must round-trip and match the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
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


async def test_case_states_backfill_marks_every_order_and_refund_stale(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async for url in scratch_url(backend, tmp_path_factory):
        engine = create_async_engine(url)
        try:
            # given data written before the case-state migration
            await upgrade_async(engine, "57187411c534")
            stamp = "2026-11-20 02:00:00"
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO shops (id, slug, name, platform, created_at, updated_at)"
                        f" VALUES (1, 's', 'S', 'PDD', '{stamp}', '{stamp}')"
                    )
                )
                for i in (1, 2, 3):
                    await conn.execute(
                        text(
                            "INSERT INTO orders (id, shop_id, order_number, platform,"
                            " amount_cents, status, confirmed_at, can_fulfil,"
                            " return_address_complete, remote_destination,"
                            " force_majeure_exempt, created_at, updated_at) VALUES"
                            f" ({i}, 1, 'O-{i}', 'PDD', 990, 'AWAITING_SHIPMENT', '{stamp}',"
                            f" true, true, false, false, '{stamp}', '{stamp}')"
                        )
                    )
                await conn.execute(
                    text(
                        "INSERT INTO refund_requests (id, shop_id, order_id, refund_number,"
                        " type, reason, status, requested_at, threatens_review,"
                        " free_reissues_given, return_to_wrong_address, created_at,"
                        " updated_at) VALUES (7, 1, 2, 'R-7', 'REFUND_ONLY', 'NOT_SHIPPED',"
                        f" 'PENDING', '{stamp}', false, 0, false, '{stamp}', '{stamp}')"
                    )
                )

            # when the migration runs
            await upgrade_async(engine)

            # then each order and each refund has a state, stale until recomputed
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(
                        text(
                            "SELECT kind, entity_id, order_id, rules_version, status"
                            " FROM case_states ORDER BY kind, entity_id"
                        )
                    )
                ).all()
                stale = (
                    await conn.execute(
                        text("SELECT count(*) FROM case_states WHERE stale_at < :t"),
                        {"t": datetime(1971, 1, 1, tzinfo=UTC)},
                    )
                ).scalar_one()
                # the list time is copied from the order or refund (5c1d7e93b2a4)
                copied = (
                    await conn.execute(
                        text(
                            "SELECT count(*) FROM case_states s WHERE s.sort_at ="
                            " (SELECT o.confirmed_at FROM orders o WHERE o.id = s.entity_id)"
                            " AND s.kind = 'ORDER' OR s.sort_at = (SELECT r.requested_at"
                            " FROM refund_requests r WHERE r.id = s.entity_id)"
                            " AND s.kind = 'REFUND_REQUEST'"
                        )
                    )
                ).scalar_one()
            assert [tuple(r) for r in rows] == [
                ("ORDER", 1, 1, "", "AWAITING_SHIPMENT"),
                ("ORDER", 2, 2, "", "AWAITING_SHIPMENT"),
                ("ORDER", 3, 3, "", "AWAITING_SHIPMENT"),
                ("REFUND_REQUEST", 7, 2, "", "PENDING"),
            ]
            assert stale == 4
            assert copied == 4
        finally:
            await engine.dispose()
