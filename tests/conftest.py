"""Shared fixtures: a migrated database per backend, an app bound to it, clients.

Database-backed tests run once on SQLite and once on PostgreSQL. The PostgreSQL run
needs ``AFTERSALES_TEST_DATABASE_URL`` (e.g.
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``); without it those tests skip and
say so. With ``AFTERSALES_TEST_REQUIRE_POSTGRES=1`` (set by .ci/run) a missing or
unreachable server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from service.app import create_app
from service.config import Settings
from service.db.base import Base
from service.db.engine import create_engine, create_sessionmaker
from service.db.migrations import upgrade_async
from service.db.models import Role, Shop
from service.decision.facts import Platform
from service.store.tokens import create_token
from tests.factories import NOW

PG_URL_VAR = "AFTERSALES_TEST_DATABASE_URL"
REQUIRE_PG_VAR = "AFTERSALES_TEST_REQUIRE_POSTGRES"


def _skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_PG_VAR) == "1":
        pytest.fail(f"PostgreSQL tests required ({REQUIRE_PG_VAR}=1) but {reason}")
    pytest.skip(reason)


async def create_scratch_postgres(base_url: str) -> str:
    """Create a fresh, empty database next to the one named in ``base_url``."""
    url = make_url(base_url)
    name = f"aftersales_test_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def drop_scratch_postgres(base_url: str, scratch_url: str) -> None:
    name = make_url(scratch_url).database
    admin = create_async_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
async def migrated_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    async for url in scratch_url(backend, tmp_path_factory):
        engine = create_async_engine(url)
        try:
            await upgrade_async(engine)
        finally:
            await engine.dispose()
        yield url


async def scratch_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """An empty database of the backend, dropped afterwards (PostgreSQL)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "aftersales.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    base = os.environ.get(PG_URL_VAR)
    if not base:
        _skip_or_fail(
            f"{PG_URL_VAR} is not set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
        )
        return
    try:
        scratch = await create_scratch_postgres(base)
    except Exception as exc:
        _skip_or_fail(f"PostgreSQL from {PG_URL_VAR} is unreachable: {exc}")
        return
    try:
        yield scratch
    finally:
        await drop_scratch_postgres(base, scratch)


@pytest.fixture(scope="session")
def settings(migrated_url: str) -> Settings:
    return Settings(database_url=migrated_url, env="dev")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data; rows are wiped after each test."""
    async with create_sessionmaker(engine)() as session:
        yield session
    await _wipe(engine)


async def _wipe(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, session: AsyncSession) -> Iterator[object]:
    # Every request's "now" is pinned, so decisions in API tests are reproducible.
    yield create_app(settings, engine=engine, clock=lambda: NOW)


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def make_shop(
    session: AsyncSession, slug: str = "shop-a", platform: Platform = Platform.PDD
) -> Shop:
    shop = Shop(slug=slug, name=slug.upper(), platform=platform)
    session.add(shop)
    await session.flush()
    return shop


async def make_token(session: AsyncSession, shop: Shop, role: Role = Role.ADMIN) -> str:
    token = await create_token(session, shop, role, "test")
    await session.commit()
    return token
