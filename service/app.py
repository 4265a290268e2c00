"""The ASGI application: /graphql, /subgraph (federation), /healthz, /readyz, /static/, /app/
(and /metrics, by instrument())."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from service.body_limit import BodyLimitMiddleware
from service.config import Settings, load_settings
from service.db.engine import create_engine, create_sessionmaker
from service.db.migrations import all_revisions, current_revision, head_revision
from service.events import listener as event_listener
from service.events.worker import start_delivering, stop_delivering
from service.graphql.federation import build_federation_schema
from service.graphql.schema import build_schema
from service.graphql.view import GraphQLView, ReplicaState
from service.housekeeping import start_purging, stop_purging
from service.http_errors import starlette_http_error
from service.lifecycle import Lifecycle
from service.observability import RequestInfoExtension, instrument
from service.observability.tracing import Tracing, configure_tracing
from service.store.refresher import Refresher
from service.web.graphiql import graphiql_page
from service.web.static import static_mount
from service.web.workbench import workbench_routes

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger(__name__)

READINESS_TIMEOUT_S = 2.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    clock: Callable[[], datetime] | None = None,
    demo_token: str | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """Build the app. Nothing connects to the database until the first request.

    ``clock`` gives each GraphQL request its "now" (tests pin it). ``demo_token`` is the
    token ``serve --demo`` created: GraphiQL (dev only) opens with it filled in.
    ``tracer_provider`` traces the app (tests pass one); by default the ``OTEL_*``
    variables decide (see service.observability.tracing)."""
    settings = settings or load_settings()
    engine = engine or create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    lifecycle = Lifecycle()
    expected_revision = head_revision()
    # A revision this code does not know is a newer release's migration: during a
    # rolling deploy the old pods must stay ready, since additive migrations keep
    # the old code working.
    known_revisions = all_revisions()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(_: Request) -> JSONResponse:
        if lifecycle.shutting_down:
            return JSONResponse({"status": "unavailable", "reason": "shutting down"}, 503)
        try:
            revision = await asyncio.wait_for(current_revision(engine), READINESS_TIMEOUT_S)
        except Exception as exc:  # any failure to reach the database means not ready
            log.warning("readiness check failed: %s", type(exc).__name__)
            return JSONResponse(
                {"status": "unavailable", "reason": f"database unreachable ({type(exc).__name__})"},
                503,
            )
        if revision != expected_revision and (revision is None or revision in known_revisions):
            return JSONResponse(
                {
                    "status": "unavailable",
                    "reason": f"database at migration {revision}, expected {expected_revision}:"
                    " run `aftersales migrate`",
                },
                503,
            )
        return JSONResponse({"status": "ready", "revision": revision})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Stale case states are recomputed in the background (reads recompute the
        # ones they meet anyway, so this only keeps reads from paying for it).
        background: asyncio.Task[None] | None = None
        if settings.refresh_interval_s > 0:
            refresher = Refresher(sessionmaker, lanes=settings.refresher_lanes)
            background = asyncio.create_task(refresher.run_forever(settings.refresh_interval_s))
        purger = start_purging(sessionmaker, settings.idempotency_purge_interval_s)
        # Webhooks go out from here too, so one `aftersales serve` is a whole setup.
        deliveries = start_delivering(sessionmaker, settings)
        # On PostgreSQL, subscriptions hear every replica's events through LISTEN.
        listening = (
            event_listener.acquire(settings.database_url, sessionmaker)
            if settings.dialect == "postgresql"
            else None
        )
        app.state.event_listener = listening
        yield
        if listening is not None:
            await event_listener.release(listening)
        await stop_delivering(deliveries)
        await stop_purging(purger)
        if background is not None:
            background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await background
        await engine.dispose()

    provider = tracer_provider if tracer_provider is not None else configure_tracing()
    tracing = Tracing(provider) if provider is not None else None
    extensions = (RequestInfoExtension, *(tracing.schema_extensions() if tracing else ()))
    schema = build_schema(
        extra_extensions=extensions,
        max_query_depth=settings.graphql_max_query_depth,
    )
    shared = ReplicaState.for_settings(settings)
    graphql = GraphQLView(
        schema,
        sessionmaker=sessionmaker,
        settings=settings,
        clock=clock or _utcnow,
        ide=graphiql_page(settings, demo_token=demo_token),
        shared=shared,
    )
    # The same graph for a federation gateway, with _service and _entities (see
    # service.graphql.federation); /graphql stays free of them for ordinary clients.
    subgraph = GraphQLView(
        build_federation_schema(
            extra_extensions=extensions,
            max_query_depth=settings.graphql_max_query_depth,
        ),
        sessionmaker=sessionmaker,
        settings=settings,
        clock=clock or _utcnow,
        shared=shared,
    )
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/subgraph", subgraph, methods=["GET", "POST"]),
            *workbench_routes(settings, demo_token=demo_token),
            static_mount(),
        ],
        lifespan=lifespan,
        # An unknown path or a method /graphql does not take: JSON, like every refusal.
        exception_handlers={HTTPException: starlette_http_error},
    )
    # Before instrument(), so inside the request middleware: a 413 is logged and counted.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.lifecycle = lifecycle
    app.state.policy_cache = graphql.policies
    app.state.event_listener = None
    instrument(app, settings).watch_pool(engine)
    if tracing is not None:
        tracing.instrument(app, engine)
    return app
