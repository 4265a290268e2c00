"""The ``aftersales`` command, run in-process (``main``) or as a subprocess where the
whole process (exit code, stderr, no traceback) is what is tested."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from service import cli
from service.config import ENV_PREFIX
from service.db.base import Base
from service.db.migrations import current_revision, head_revision
from service.db.models import ApiToken, Role, Shop
from service.decision import RULES
from service.demo import KUAISHOU_CASES, PDD_CASES
from service.store.tokens import authenticate, hash_token
from tests.conftest import scratch_url

TEST_PREFIX = "AFTERSALES_TEST_"  # the test suite's own variables (conftest)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX) and not name.startswith(TEST_PREFIX):
            monkeypatch.delenv(name)
    # A command that wrongly touched the default database would create it here.
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def database(
    backend: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """A fresh, empty database of the backend, named in AFTERSALES_DATABASE_URL."""
    async for url in scratch_url(backend, tmp_path_factory):
        monkeypatch.setenv("AFTERSALES_DATABASE_URL", url)
        yield url


@pytest.fixture
async def engine_for(database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database)
    yield engine
    await engine.dispose()


async def run_cli(*argv: str) -> int:
    """``main`` runs its own event loop, so it runs in a thread off the test's loop."""
    return await asyncio.to_thread(cli.main, list(argv))


def run_process(*argv: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *argv],
        env=clean | env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def _row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            table.name: (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            for table in Base.metadata.sorted_tables
        }


async def test_migrate_brings_a_fresh_database_to_head(
    engine_for: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    assert await current_revision(engine_for) is None

    # when
    code = await run_cli("migrate")

    # then
    assert code == 0
    assert "latest migration" in capsys.readouterr().out
    async with engine_for.connect() as conn:
        versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert [v[0] for v in versions] == [head_revision()]


async def test_seed_demo_twice_creates_nothing_the_second_time(
    engine_for: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    assert await run_cli("migrate") == 0
    assert await run_cli("seed-demo") == 0
    first = capsys.readouterr().out
    counts = await _row_counts(engine_for)

    # when
    code = await run_cli("seed-demo")

    # then
    assert code == 0
    assert f"({len(PDD_CASES) + len(KUAISHOU_CASES)} new orders)" in first
    assert "(0 new orders)" in capsys.readouterr().out
    assert await _row_counts(engine_for) == counts
    assert counts["orders"] == len(PDD_CASES) + len(KUAISHOU_CASES)


async def test_token_create_for_an_unknown_shop_fails_naming_the_option(
    engine_for: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    assert await run_cli("migrate") == 0
    capsys.readouterr()

    # when
    code = await run_cli("token", "create", "--shop", "no-such-shop", "--role", "agent")

    # then
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "--shop" in err
    assert "no-such-shop" in err
    assert (await _row_counts(engine_for))["api_tokens"] == 0


async def test_token_create_prints_a_working_token_and_stores_only_its_hash(
    engine_for: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    assert await run_cli("migrate") == 0
    assert await run_cli("seed-demo") == 0
    capsys.readouterr()

    # when
    code = await run_cli(
        "token", "create", "--shop", "demo-kuaishou", "--role", "integration", "--name", "ci"
    )

    # then
    assert code == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1
    token = out.strip()
    async with engine_for.connect() as conn:
        shop_id = (
            await conn.execute(select(Shop.id).where(Shop.slug == "demo-kuaishou"))
        ).scalar_one()
        stored = (await conn.execute(select(ApiToken.__table__))).mappings().all()
    assert len(stored) == 1
    assert stored[0]["token_hash"] == hash_token(token)
    assert stored[0]["name"] == "ci"
    assert not any(token in str(value) for value in stored[0].values())
    from service.db.engine import create_sessionmaker  # the app's session settings

    async with create_sessionmaker(engine_for)() as session:
        principal = await authenticate(session, token)
    assert principal is not None
    assert principal.role is Role.INTEGRATION
    assert principal.shop_id == shop_id


def test_rules_prints_every_rule_id(capsys: pytest.CaptureFixture[str]) -> None:
    # when
    code = cli.main(["rules"])

    # then
    assert code == 0
    rows = capsys.readouterr().out.splitlines()[2:]  # header and rule line
    assert [row.split()[0] for row in rows] == [spec.id for spec in RULES]


@pytest.mark.parametrize("port", ["0", "99999", "-1"])
def test_serve_rejects_a_port_out_of_range(
    port: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = cli.main(["serve", "--port", port])

    # then
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "--port" in err
    assert list(tmp_path.iterdir()) == []  # no database was opened


def test_bad_configuration_exits_2_with_one_line(tmp_path: Path) -> None:
    # when
    done = run_process(
        "migrate",
        env={"AFTERSALES_DATABASE_URL": "mysql://x", "AFTERSALES_LOG_LEVEL": "LOUD"},
        cwd=tmp_path,
    )

    # then
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert "AFTERSALES_DATABASE_URL" in done.stderr
    assert "AFTERSALES_LOG_LEVEL" in done.stderr


def test_serve_with_unreachable_postgres_exits_2_naming_the_variable(tmp_path: Path) -> None:
    # given: nothing listens on port 1
    url = "postgresql+asyncpg://postgres:s3cr3t@127.0.0.1:1/x"

    # when
    done = run_process("serve", env={"AFTERSALES_DATABASE_URL": url}, cwd=tmp_path)

    # then
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert "AFTERSALES_DATABASE_URL" in done.stderr
    assert "s3cr3t" not in done.stderr


def test_commands_on_an_unmigrated_database_exit_2_with_one_line(tmp_path: Path) -> None:
    # given an SQLite file that was never migrated
    env = {"AFTERSALES_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/fresh.db"}
    for argv in (("seed-demo",), ("token", "create", "--shop", "x", "--role", "agent")):
        # when
        result = run_process(*argv, env=env, cwd=tmp_path)
        # then
        assert result.returncode == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "aftersales migrate" in lines[0] and "Traceback" not in result.stderr


async def test_refresh_all_recomputes_every_case_with_progress(
    engine_for: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    # given the demo data with every state marked as computed by older rules
    assert await run_cli("migrate") == 0
    assert await run_cli("seed-demo") == 0
    async with engine_for.begin() as conn:
        await conn.execute(text("UPDATE case_states SET rules_version = 'older'"))
    capsys.readouterr()
    orders = len(PDD_CASES) + len(KUAISHOU_CASES)

    # when
    code = await run_cli("refresh", "--all")

    # then every order was recomputed, with a progress line
    out = capsys.readouterr().out
    assert code == 0
    assert f"{orders}/{orders} orders" in out
    assert f"({orders} orders recomputed)" in out
    async with engine_for.connect() as conn:
        versions = await conn.execute(text("SELECT DISTINCT rules_version FROM case_states"))
        assert [v[0] for v in versions] != ["older"]
    # and a plain refresh afterwards finds nothing stale up to now
    assert await run_cli("refresh") == 0


async def test_groups_prints_the_shops_groups_and_refuses_an_unknown_shop(
    engine_for: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    # given the demo shops
    assert await run_cli("migrate") == 0
    assert await run_cli("seed-demo") == 0
    capsys.readouterr()

    # when
    code = await run_cli("groups", "--shop", "demo-kuaishou", "--locale", "en")
    out, _ = capsys.readouterr()
    missing = await run_cli("groups", "--shop", "no-such-shop")
    _, err = capsys.readouterr()

    # then every group line names its count, followed by its message with placeholders
    assert code == 0
    group_lines = [
        line for line in out.splitlines() if "\tcases" not in line and " cases\t" in line
    ]
    assert group_lines, out
    assert "{orderNumber}" in out
    assert missing == 2 and "no-such-shop" in err
