from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.config import Settings
from tests.web.server import Server, serve


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``aftersales serve --demo`` as a user starts it, shared by the tests that only read."""
    with serve("--demo", workdir=tmp_path_factory.mktemp("demo")) as server:
        yield server


ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def app_client(tmp_path: Path) -> ClientFactory:
    """Opens an in-process client on a fresh app (``env``, ``demo_token``, ``root_path``)."""

    @asynccontextmanager
    async def open_client(
        env: str = "dev", demo_token: str | None = None, root_path: str = ""
    ) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db", env=env)  # type: ignore[arg-type]
        app = create_app(settings, demo_token=demo_token)
        transport = httpx.ASGITransport(app=app, root_path=root_path)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield client
        finally:
            await app.state.engine.dispose()

    return open_client
