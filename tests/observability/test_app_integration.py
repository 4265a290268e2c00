"""Observability wired into the real application (service.app.create_app)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from starlette.applications import Starlette

from service.config import Settings
from service.db.engine import create_engine, create_sessionmaker
from service.db.migrations import upgrade_async
from service.observability import Metrics, instrument
from service.observability.logging import JsonFormatter
from tests.observability.conftest import TOKEN, make_client

PING = "query Ping { __typename }"


async def demo_token(settings: Settings) -> str:
    from service.db.models import Role
    from service.demo import seed_demo
    from service.store import shops, tokens

    engine = create_engine(settings)
    try:
        await upgrade_async(engine)
        async with create_sessionmaker(engine).begin() as session:
            await seed_demo(session)
            shop = await shops.get_by_slug(session, "demo-pdd")
            assert shop is not None
            return await tokens.create_token(session, shop, Role.ADMIN, "obs-test")
    finally:
        await engine.dispose()


@pytest.fixture
async def app_and_token(tmp_path: Path) -> AsyncIterator[tuple[Starlette, str]]:
    from service.app import create_app

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db", metrics_token=TOKEN)
    token = await demo_token(settings)
    app = create_app(settings)
    if not isinstance(getattr(app.state, "metrics", None), Metrics):
        instrument(app, settings)  # until create_app calls it itself
    yield app, token
    await app.state.engine.dispose()


async def test_real_app_logs_counts_and_drains(
    app_and_token: tuple[Starlette, str], caplog: pytest.LogCaptureFixture
) -> None:
    # given
    app, token = app_and_token
    caplog.set_level(logging.INFO)

    async with make_client(app) as client:
        # when
        response = await client.post(
            "/graphql",
            json={"query": PING},
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "it-1"},
        )
        scrape = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        app.state.lifecycle.begin_shutdown()
        ready = await client.get("/readyz")

    # then
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "it-1"
    assert 'route="/graphql"' in scrape.text
    assert ready.status_code == 503
    assert "aftersales_requests_in_flight 1.0" in scrape.text  # app's own Lifecycle
    records = [r for r in caplog.records if r.name != "httpx"]
    formatted = [JsonFormatter().format(r) for r in records]
    assert not any(token in text for text in formatted)
    [line] = [
        parsed
        for record, text in zip(records, formatted, strict=True)
        if record.name == "aftersales.request"
        and (parsed := orjson.loads(text))["path"] == "/graphql"
    ]
    assert line["request_id"] == "it-1"
    assert line["status"] == 200
    assert line["outcome"] == "ok"
    assert line["shop"] is not None  # set by the GraphQL view after authentication
    if line["operation"] is not None:  # once RequestInfoExtension is in the schema
        assert line["operation"] == "Ping"
