from __future__ import annotations

from collections.abc import Callable

import httpx
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from service.observability.metrics import Metrics, record_decision
from tests.observability.conftest import TOKEN, make_client

HELLO = 'query Greeting { hello(name: "ana") }'
BOOM = "query Broken { boom }"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return response.text


async def test_counters_move_by_operation_name_and_outcome(client: httpx.AsyncClient) -> None:
    # given
    before = await scrape(client)

    # when
    for _ in range(3):
        assert (await client.post("/graphql", json={"query": HELLO})).status_code == 200
    await client.post("/graphql", json={"query": BOOM})
    await client.post("/graphql", json={"query": "query Typo { nope }"})
    after = await scrape(client)

    # then
    ok = {"route": "/graphql", "operation": "Greeting", "outcome": "ok"}
    assert value(before, "aftersales_requests_total", **ok) == 0
    assert value(after, "aftersales_requests_total", **ok) == 3
    assert (
        value(
            after,
            "aftersales_requests_total",
            route="/graphql",
            operation="Broken",
            outcome="error",
        )
        == 1
    )
    assert (
        value(
            after,
            "aftersales_requests_total",
            route="/graphql",
            operation="Typo",
            outcome="user_error",
        )
        == 1
    )
    assert (
        value(
            after,
            "aftersales_request_duration_seconds_count",
            route="/graphql",
            operation="Greeting",
        )
        == 3
    )
    assert value(after, "aftersales_decisions_total", action="refund_only", rule_id="R7") == 3
    assert value(after, "aftersales_requests_in_flight") == 1  # the scrape itself


async def test_metrics_refused_without_token_when_not_public(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer")


async def test_metrics_public_needs_no_token(app_factory: Callable[..., Starlette]) -> None:
    async with make_client(app_factory(metrics_public=True, metrics_token=None)) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert "aftersales_requests_total" in response.text


async def test_metrics_disabled_without_token_or_public(
    app_factory: Callable[..., Starlette],
) -> None:
    async with make_client(app_factory(metrics_token=None)) as client:
        response = await client.get("/metrics", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403
    assert "AFTERSALES_METRICS_TOKEN" in response.text


def test_each_metrics_object_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.record_decision("refund_only", "R1")
    assert first.registry is not second.registry
    assert b'rule_id="R1"' in first.render()
    assert b'rule_id="R1"' not in second.render()


def test_operation_labels_are_bounded() -> None:
    metrics = Metrics(CollectorRegistry())
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("bad name; drop") == "other"
    for i in range(300):
        metrics.operation_label(f"Op{i}")
    assert metrics.operation_label("Op0") == "Op0"
    assert metrics.operation_label("Op299") == "other"


def test_record_decision_accepts_metrics_state_or_app() -> None:
    metrics = Metrics()

    class State:
        pass

    class App:
        state = State()

    App.state.metrics = metrics  # type: ignore[attr-defined]
    record_decision(metrics, "a", "r")
    record_decision(App.state, "a", "r")
    record_decision(App(), "a", "r")
    record_decision(object(), "a", "r")  # no metrics: ignored
    assert (
        value(metrics.render().decode(), "aftersales_decisions_total", action="a", rule_id="r") == 3
    )


async def test_pool_gauges_from_engine(tmp_path: object) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/pool.db")
    metrics = Metrics()
    metrics.watch_pool(engine)
    try:
        async with engine.connect():
            text = metrics.render().decode()
            # aiosqlite on a file uses a queue pool: every number is known
            assert value(text, "aftersales_db_pool_checked_out") == 1
            assert "aftersales_db_pool_size" in text
            assert value(text, "aftersales_db_pool_overflow") == 0
    finally:
        await engine.dispose()


def test_pool_gauges_skip_unknown_numbers() -> None:
    metrics = Metrics()
    metrics.watch_pool_stats(lambda: (None, 2, None))
    text = metrics.render().decode()
    assert value(text, "aftersales_db_pool_checked_out") == 2
    assert "aftersales_db_pool_size" not in text

    def broken() -> tuple[int | None, int | None, int | None]:
        raise RuntimeError("engine disposed")

    metrics.watch_pool_stats(broken)
    assert b"aftersales_db_pool" not in metrics.render()


async def test_memory_sqlite_static_pool_does_not_break_scrape() -> None:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    metrics = Metrics()
    metrics.watch_pool(engine)
    try:
        metrics.render()
    finally:
        await engine.dispose()


def test_operation_labels_take_any_value_a_client_sends() -> None:
    # operationName comes from the request body: a number or an object must not raise
    metrics = Metrics()
    assert metrics.operation_label(5) == "other"
    assert metrics.operation_label({"name": "x"}) == "other"
    assert metrics.operation_label(None) == "anonymous"
