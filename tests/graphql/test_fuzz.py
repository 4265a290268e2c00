"""Schemathesis fuzzes every query and mutation of the live schema over ASGI.

Properties: no 5xx, every GraphQL error carries ``extensions.code``, no unexpected
exception (masked as INTERNAL_SERVER_ERROR), and no null where the schema promises a
value. Argument errors (a page size over 100, a forged cursor) are coded GraphQL
errors; business rejections in mutations are typed ``userErrors``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from graphql import build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service.app import create_app
from service.config import Settings
from service.db.engine import create_sessionmaker
from service.db.migrations import upgrade
from service.db.models import Role
from service.demo import seed_demo
from service.graphql.sdl import SDL_PATH
from service.store import shops
from service.store.tokens import create_token
from tests.factories import NOW

MAX_EXAMPLES = 30

# Mostly well-formed values, so the fuzzer gets past scalar parsing into the
# resolvers; sometimes malformed ones, which must be coded errors.
_datetimes = st.one_of(
    st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))]),
    ).map(lambda d: d.isoformat()),
    st.sampled_from(["2026-11-24T10:00:00", "yesterday", ""]),
)
_decimals = st.one_of(
    st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False).map(str),
    st.sampled_from(["0.001", "NaN", "1e309", "abc", "-0"]),
)
schemathesis.graphql.scalar("DateTime", _datetimes.map(nodes.String))
schemathesis.graphql.scalar("Decimal", _decimals.map(nodes.String))


async def _prepare(url: str) -> str:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await seed_demo(session, now=NOW)
            shop = await shops.get_by_slug(session, "demo-pdd")
            assert shop is not None
            return await create_token(session, shop, Role.ADMIN, "fuzz")
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    # The ASGI test client runs the app on its own event loop per call, so this app
    # gets its own database and an engine without a pool (no connection outlives a loop).
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    token = asyncio.run(_prepare(url))
    engine = create_async_engine(url, poolclass=NullPool)
    app = create_app(Settings(database_url=url), engine=engine, clock=lambda: NOW)
    yield app, token


def _operation_labels() -> list[str]:
    # Read from the committed SDL (kept in sync by test_schema_sdl) so that every root
    # field is a test item of its own at collection time.
    sdl = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    return [
        f"{root.name}.{name}"
        for root in (sdl.query_type, sdl.mutation_type)
        if root is not None
        for name in root.fields
    ]


@pytest.fixture(scope="module")
def graphql_schema(fuzz_target: tuple[Any, str]) -> Any:
    app, token = fuzz_target
    return schemathesis.graphql.from_asgi(
        "/graphql", app, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.parametrize("label", _operation_labels())
def test_graphql_fuzz(label: str, graphql_schema: Any, fuzz_target: tuple[Any, str]) -> None:
    _, token = fuzz_target
    operation = graphql_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is in the SDL but not served"

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, response.text
        body = response.json()
        assert isinstance(body, dict) and ("data" in body or "errors" in body), body
        for error in body.get("errors") or []:
            code = error.get("extensions", {}).get("code")
            assert code, f"error without a code: {error}"
            # A masked unexpected exception is a bug, whatever the input was.
            assert code != "INTERNAL_SERVER_ERROR", (case.body, error)
            # A null in a non-null field breaks the schema the server publishes.
            assert "Cannot return null for non-nullable field" not in error["message"], error

    check()
