from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from service.db.engine import create_sessionmaker
from service.db.migrations import upgrade_async
from service.db.models import Role
from tests.conftest import make_shop, make_token
from tests.faults.servers import PrivatePostgres


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture
async def private_engine(private_postgres: PrivatePostgres) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(private_postgres.url, pool_pre_ping=True)
    await upgrade_async(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def tokens(private_engine: AsyncEngine) -> dict[Role, str]:
    async with create_sessionmaker(private_engine)() as session:
        shop = await make_shop(session)
        return {role: await make_token(session, shop, role) for role in Role}
