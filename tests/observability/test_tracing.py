"""OpenTelemetry traces, with the SDK's in-memory exporter: one request is one trace
from the HTTP span through GraphQL down to each SQL statement; a caller's traceparent
continues its trace; the request's log line names the trace; off by default."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from service.app import create_app
from service.config import Settings
from service.db.engine import create_engine
from service.db.models import Role
from service.observability.logging import JsonFormatter
from service.observability.tracing import configure_tracing, exporters_from_env
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund

QUEUE = "query Queue { workQueue(first: 5) { edges { node { kind decision { ruleId } } } } }"
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def traced_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    # Its own engine: the SQL instrumentation's listeners stay with it, not the shared one.
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def traced_app(
    settings: Settings, traced_engine: AsyncEngine, exporter: InMemorySpanExporter
) -> Starlette:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return create_app(settings, engine=traced_engine, clock=lambda: NOW, tracer_provider=provider)


@pytest.fixture
async def traced_client(traced_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=traced_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def queue_token(session: AsyncSession) -> str:
    shop = await make_shop(session)
    for i in range(3):
        order = await make_order(session, shop, f"Q-{i}", confirmed_at=NOW - timedelta(hours=5))
        await make_refund(session, order, f"RF-{i}", requested_at=NOW - timedelta(hours=1))
    return await make_token(session, shop, Role.AGENT)


def by_trace(spans: tuple[ReadableSpan, ...]) -> dict[int, list[ReadableSpan]]:
    traces: dict[int, list[ReadableSpan]] = {}
    for span in spans:
        assert span.context is not None
        traces.setdefault(span.context.trace_id, []).append(span)
    return traces


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_one_work_queue_request_is_one_trace_from_http_to_sql(
    traced_client: httpx.AsyncClient, session: AsyncSession, exporter: InMemorySpanExporter
) -> None:
    # given a shop with pending refund requests
    token = await queue_token(session)
    exporter.clear()

    # when its work queue is asked for once
    response = await traced_client.post(
        "/graphql", json={"query": QUEUE}, headers={"Authorization": f"Bearer {token}"}
    )

    # then every span of the request belongs to one trace
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    traces = by_trace(exporter.get_finished_spans())
    assert len(traces) == 1, {hex(t): [s.name for s in spans] for t, spans in traces.items()}
    spans = next(iter(traces.values()))
    names = [s.name for s in spans]
    # the HTTP request is its root
    http = [s for s in spans if s.kind == SpanKind.SERVER]
    assert [s.name for s in http] == ["POST /graphql"], names
    assert http[0].parent is None
    assert http[0].attributes is not None and http[0].attributes["http.status_code"] == 200
    # the GraphQL operation under it, the root field and the decisions under that
    operation = next(s for s in spans if s.name == "GraphQL Query: Queue")
    assert parent_id(operation) == http[0].context.span_id
    root_field = next(s for s in spans if s.name == "GraphQL Resolving: workQueue")
    assert parent_id(root_field) == operation.context.span_id
    assert names.count("GraphQL Resolving: decision") == 3, names
    # DataLoader batches, once per batch and not once per item
    batches = [s for s in spans if s.name.startswith("dataloader ")]
    assert batches, names
    assert any((s.attributes or {}).get("dataloader.batch_size") == 3 for s in batches), [
        (s.name, s.attributes) for s in batches
    ]
    # and each SQL statement, inside the request's trace
    sql = [s for s in spans if (s.attributes or {}).get("db.statement")]
    assert len(sql) >= 2, names
    assert all(s.kind == SpanKind.CLIENT for s in sql)
    assert any("refund_requests" in str((s.attributes or {})["db.statement"]) for s in sql)
    # nothing of the document or the arguments leaves the process
    for span in spans:
        attributes = dict(span.attributes or {})
        assert "query" not in attributes
        assert not any(key.startswith("graphql.param.") for key in attributes), attributes


async def test_a_callers_traceparent_is_continued(
    traced_client: httpx.AsyncClient, session: AsyncSession, exporter: InMemorySpanExporter
) -> None:
    token = await queue_token(session)
    exporter.clear()
    # when the caller sends its trace context
    response = await traced_client.post(
        "/graphql",
        json={"query": QUEUE},
        headers={
            "Authorization": f"Bearer {token}",
            "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01",
        },
    )
    # then the request's spans join that trace, under the caller's span
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    assert spans
    assert {f"{s.context.trace_id:032x}" for s in spans} == {CALLER_TRACE}
    http = next(s for s in spans if s.kind == SpanKind.SERVER)
    assert parent_id(http) == int(CALLER_SPAN, 16)
    assert http.parent is not None and http.parent.is_remote


async def test_the_request_log_line_carries_the_trace_id(
    traced_client: httpx.AsyncClient,
    session: AsyncSession,
    exporter: InMemorySpanExporter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = await queue_token(session)
    caplog.set_level(logging.INFO, logger="aftersales.request")
    response = await traced_client.post(
        "/graphql",
        json={"query": QUEUE},
        headers={
            "Authorization": f"Bearer {token}",
            "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01",
        },
    )
    assert response.status_code == 200
    # Formatted after the request, as a queued handler would: the id was taken in time.
    lines = [
        orjson.loads(JsonFormatter().format(r))
        for r in caplog.records
        if r.name == "aftersales.request"
    ]
    assert [line["trace_id"] for line in lines] == [CALLER_TRACE]


async def test_subgraph_requests_are_traced_too(
    traced_client: httpx.AsyncClient, session: AsyncSession, exporter: InMemorySpanExporter
) -> None:
    token = await make_token(session, await make_shop(session), Role.AGENT)
    exporter.clear()
    response = await traced_client.post(
        "/subgraph",
        json={"query": "query Sdl { _service { sdl } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    names = {s.name for s in exporter.get_finished_spans()}
    assert {"POST /subgraph", "GraphQL Query: Sdl"} <= names, names


async def test_probes_are_not_traced(
    traced_client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    exporter.clear()
    assert (await traced_client.get("/healthz")).status_code == 200
    assert exporter.get_finished_spans() == ()


# -- configuration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, []),
        ({"OTEL_TRACES_EXPORTER": "none"}, []),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": " otlp , Console "}, ["otlp", "console"]),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, []),
    ],
)
def test_tracing_is_off_unless_an_exporter_is_named(
    env: dict[str, str], expected: list[str]
) -> None:
    assert exporters_from_env(env) == expected


def test_an_exporter_gives_a_batching_provider_named_for_the_service() -> None:
    provider = configure_tracing({"OTEL_TRACES_EXPORTER": "console"})
    assert provider is not None
    try:
        processors: Any = provider._active_span_processor._span_processors
        assert [type(p) for p in processors] == [BatchSpanProcessor]
        assert provider.resource.attributes["service.name"] == "aftersales"
    finally:
        provider.shutdown()


def test_an_unknown_exporter_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER: unknown exporter 'zipkin'"):
        configure_tracing({"OTEL_TRACES_EXPORTER": "zipkin"})


@pytest.fixture
def untraced_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    yield


def test_off_by_default_the_app_installs_nothing(
    untraced_env: None, settings: Settings, engine: AsyncEngine
) -> None:
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app = create_app(settings, engine=engine, clock=lambda: NOW)
    classes: list[Any] = [m.cls for m in app.user_middleware]
    assert OpenTelemetryMiddleware not in classes
    assert not any(
        type(listener).__module__.startswith("opentelemetry") for listener in _listeners(engine)
    )


def _listeners(engine: AsyncEngine) -> list[Any]:
    dispatch: Any = engine.sync_engine.dispatch
    return [getattr(fn, "__self__", fn) for fn in dispatch.before_cursor_execute]
