"""Schemathesis fuzzes every query and mutation of the live schema over ASGI.

Properties: no 5xx, every GraphQL error carries ``extensions.code``, no unexpected
exception (masked as INTERNAL_SERVER_ERROR), and no null where the schema promises a
value. Argument errors (a page size over 100, a forged cursor) are coded GraphQL
errors; business rejections in mutations are typed ``userErrors``."""

from __future__ import annotations

import asyncio
import os
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
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service.app import create_app
from service.config import Settings
from service.db.engine import create_sessionmaker
from service.db.migrations import upgrade
from service.db.models import Order, RefundRequest, Role, Shipment
from service.demo import seed_demo
from service.graphql.relay import to_global_id
from service.graphql.sdl import SDL_PATH
from service.store import shops
from service.store.tokens import create_token
from tests.conftest import (
    PG_URL_VAR,
    _skip_or_fail,
    create_scratch_postgres,
    drop_scratch_postgres,
)
from tests.factories import NOW

MAX_EXAMPLES = 30

# Mostly well-formed values, so the fuzzer gets past scalar parsing into the
# resolvers; sometimes malformed or extreme ones, which must be coded errors.
_datetimes = st.one_of(
    st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))]),
    ).map(lambda d: d.isoformat()),
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))]
        ),
    ).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+14:00",
            "1999-12-31T23:59:59Z",
            "2099-12-31T23:59:59-12:00",
            "2026-11-24T10:00:00",
            "yesterday",
            "",
        ]
    ),
)
_decimals = st.one_of(
    st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False).map(str),
    st.sampled_from(
        [
            "0.001",
            "NaN",
            "1e309",
            "1e999999999",
            "abc",
            "-0",
            "１２",
            "١٢",
            "1_000",
            " 12.34 ",
            "1E+1",
            "99999999999999999999.99",
            "0.01",
        ]
    ),
)
# Ids of the demo shop's objects (filled in by the fixture), other spellings of them and
# garbage: a lookup must answer null / NOT_FOUND for all but the first.
_KNOWN_IDS: list[str] = []
_ids = st.one_of(
    st.deferred(lambda: st.sampled_from(_KNOWN_IDS or ["T3JkZXI6MQ"])),
    st.deferred(lambda: st.sampled_from(_KNOWN_IDS or ["T3JkZXI6MQ"])).map(lambda i: i + "=="),
    st.sampled_from(["T3JkZXI6wrI", "T3JkZXI64pGg", "T3JkZXI6MDE", "", "Order:1", "x" * 300]),
    st.text(max_size=20),
)
schemathesis.graphql.scalar("DateTime", _datetimes.map(nodes.String))
schemathesis.graphql.scalar("Decimal", _decimals.map(nodes.String))
schemathesis.graphql.scalar("ID", _ids.map(nodes.String))


async def _prepare(url: str) -> tuple[str, list[str]]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await seed_demo(session, now=NOW)
            shop = await shops.get_by_slug(session, "demo-pdd")
            assert shop is not None
            ids = [
                to_global_id(model.__name__, pk)
                for model in (Order, Shipment, RefundRequest)
                for pk in (await session.scalars(select(model.id).where(model.shop_id == shop.id)))
            ]
            return await create_token(session, shop, Role.ADMIN, "fuzz"), ids
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def fuzz_target(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, str]]:
    # The ASGI test client runs the app on its own event loop per call, so this app
    # gets its own database and an engine without a pool (no connection outlives a loop).
    base = os.environ.get(PG_URL_VAR, "")
    if backend == "sqlite":
        path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        if not base:
            _skip_or_fail(f"{PG_URL_VAR} is not set")
        url = asyncio.run(create_scratch_postgres(base))
    try:
        upgrade(url)
        token, ids = asyncio.run(_prepare(url))
        _KNOWN_IDS[:] = ids
        engine = create_async_engine(url, poolclass=NullPool)
        app = create_app(Settings(database_url=url), engine=engine, clock=lambda: NOW)
        yield app, token
    finally:
        if backend != "sqlite":
            asyncio.run(drop_scratch_postgres(base, url))


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
