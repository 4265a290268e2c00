"""OpenTelemetry traces: the HTTP request, the GraphQL operation, the resolvers worth
seeing (root fields, decisions, DataLoader batches) and each SQL statement.

Off unless ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, ``console``, or both,
comma-separated): then the standard ``OTEL_*`` variables configure the rest (service
name, resource attributes, sampler, OTLP endpoint and headers, batch sizes). Off means
nothing is installed: no middleware, no schema extension, no SQL listener; the only
trace of this module on a request is one context-variable read when a request's
DataLoaders are built and when a log line is formatted.

The ``otel`` extra provides the packages; without them the service runs untraced and
says so once when an exporter was asked for.

A caller's W3C ``traceparent`` continues its trace (``OTEL_PROPAGATORS``, default
tracecontext and baggage). Spans carry no GraphQL variables, arguments, documents or
query strings, for the same reason the request log does not.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from inspect import isawaitable
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit, urlunsplit

from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, Tracer
    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.applications import Starlette
    from strawberry.extensions import SchemaExtension

log = logging.getLogger(__name__)

EXPORTER_VAR = "OTEL_TRACES_EXPORTER"
DEFAULT_SERVICE_NAME = "aftersales"
# Probes and scrapes every few seconds would bury the requests worth reading.
DEFAULT_EXCLUDED_URLS = "/healthz,/readyz,/metrics"
TRACER_NAME = "aftersales"
# Below the root fields, only these resolvers get a span of their own: the decision is
# where a request spends its time; a span per scalar field would bury it.
TRACED_FIELDS = frozenset({"decision"})

K = TypeVar("K")
V = TypeVar("V")

# The tracer of the request being served; None when tracing is off (or outside a request).
request_tracer: ContextVar[Tracer | None] = ContextVar("aftersales_request_tracer", default=None)


def exporters_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """The exporters ``OTEL_TRACES_EXPORTER`` asks for; empty means tracing is off.

    Unlike the SDK's default (otlp), an unset variable means off: a service that
    nobody pointed at a collector should not try to reach one."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [n.strip().lower() for n in env.get(EXPORTER_VAR, "").split(",")]
    return [n for n in names if n and n != "none"]


def configure_tracing(environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """A tracer provider exporting as the ``OTEL_*`` variables say; None when off."""
    exporters = exporters_from_env(environ)
    if not exporters:
        return None
    try:
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SpanExporter,
        )
    except ImportError:
        log.warning(
            "%s is set but the OpenTelemetry packages are missing (reinstall aftersales);"
            " serving without traces",
            EXPORTER_VAR,
        )
        return None
    env = os.environ if environ is None else environ
    # Resource.create reads OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME itself.
    resource = Resource.create(
        {} if env.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: DEFAULT_SERVICE_NAME}
    )
    # The SDK reads OTEL_TRACES_SAMPLER(_ARG) and the OTEL_BSP_* batch settings.
    provider = TracerProvider(resource=resource)
    for name in exporters:
        exporter: SpanExporter
        if name == "otlp":
            # OTLP over HTTP/protobuf; OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT/HEADERS apply.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter()
        elif name == "console":
            exporter = ConsoleSpanExporter()
        else:
            raise ValueError(f"{EXPORTER_VAR}: unknown exporter {name!r} (use otlp, console)")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


@dataclass(frozen=True, slots=True)
class Tracing:
    """What create_app installs when tracing is on."""

    provider: TracerProvider

    @property
    def tracer(self) -> Tracer:
        return self.provider.get_tracer(TRACER_NAME)

    def schema_extensions(self) -> tuple[Callable[[], SchemaExtension], ...]:
        from service.observability.graphql_tracing import graphql_tracing_extension

        return (graphql_tracing_extension(self.provider),)

    def instrument(self, app: Starlette, engine: AsyncEngine) -> None:
        """Outermost HTTP span (so the request log line sees it) and a span per SQL
        statement of ``engine``. Call after every other middleware is added."""
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
        from opentelemetry.metrics import NoOpMeterProvider

        EngineTracer(  # type: ignore[no-untyped-call]
            self.provider.get_tracer("opentelemetry.instrumentation.sqlalchemy"),
            engine.sync_engine,
            # Pool metrics are Prometheus' job here (service.observability.metrics).
            NoOpMeterProvider().get_meter("aftersales").create_up_down_counter("unused"),
        )
        app.add_middleware(
            OpenTelemetryMiddleware,
            tracer_provider=self.provider,
            excluded_urls=os.environ.get("OTEL_PYTHON_ASGI_EXCLUDED_URLS", DEFAULT_EXCLUDED_URLS),
            exclude_spans=["receive", "send"],
            server_request_hook=_without_query_string,
        )
        # Added last, so outermost of all: the tracer is visible to everything inside.
        app.add_middleware(RequestTracerMiddleware, tracer=self.tracer)


def _without_query_string(span: Span, scope: Scope) -> None:
    # A GET /graphql carries the document and its variables in the query string.
    if not scope.get("query_string") or not span.is_recording():
        return
    path = scope.get("path", "")
    span.set_attribute("http.target", path)
    url = getattr(span, "attributes", {}).get("http.url")
    if isinstance(url, str):
        parts = urlsplit(url)
        span.set_attribute("http.url", urlunsplit((*parts[:3], "", "")))


class RequestTracerMiddleware:
    """Makes the app's tracer the request's, for the spans code below opens itself."""

    def __init__(self, app: ASGIApp, *, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = request_tracer.set(self.tracer)
        try:
            await self.app(scope, receive, send)
        finally:
            request_tracer.reset(token)


def current_trace_id() -> str | None:
    """The trace id (32 hex digits) of the current span; None when tracing is off."""
    if request_tracer.get() is None:
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


def traced_batch(
    name: str, load: Callable[[list[K]], Awaitable[list[V]]]
) -> Callable[[list[K]], Awaitable[list[V]]]:
    """``load`` with a span per batch when the request is traced; ``load`` itself when not."""
    tracer = request_tracer.get()
    if tracer is None:
        return load

    async def traced(keys: list[K]) -> list[V]:
        with tracer.start_as_current_span(
            f"dataloader {name}", attributes={"dataloader.batch_size": len(keys)}
        ):
            result = load(keys)
            return await result if isawaitable(result) else result

    return traced
