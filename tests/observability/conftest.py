from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette

from service.config import Settings
from tests.observability.testapp import create_test_app

TOKEN = "scrape-token-abc"


def make_client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
def app_factory() -> Callable[..., Starlette]:
    def build(**overrides: object) -> Starlette:
        values: dict[str, object] = {"metrics_token": TOKEN, **overrides}
        return create_test_app(Settings.model_validate(values))

    return build


@pytest.fixture
async def client(app_factory: Callable[..., Starlette]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app_factory()) as c:
        yield c
