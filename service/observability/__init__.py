"""Observability: request logs, Prometheus metrics, request ids, in-flight tracking.

The application calls :func:`instrument` once, in ``create_app``; the CLI calls
:func:`configure_logging` once, before serving.
"""

from __future__ import annotations

from starlette.applications import Starlette

from service.config import Settings
from service.lifecycle import Lifecycle
from service.observability.boundary import ErrorBoundaryMiddleware
from service.observability.endpoint import make_metrics_endpoint
from service.observability.graphql_extension import RequestInfoExtension
from service.observability.logging import configure_logging
from service.observability.metrics import Metrics, record_decision
from service.observability.middleware import ObservabilityMiddleware
from service.observability.request_info import RequestInfo, current_request_info

__all__ = [
    "Metrics",
    "RequestInfo",
    "RequestInfoExtension",
    "configure_logging",
    "current_request_info",
    "instrument",
    "record_decision",
]


def instrument(app: Starlette, settings: Settings) -> Metrics:
    """Wire observability into ``app``; call once in ``create_app``, before serving.

    - adds :class:`ObservabilityMiddleware` (request id in/out, one JSON log line per
      request, request metrics, ``app.state.lifecycle`` in-flight count);
    - adds :class:`ErrorBoundaryMiddleware` around it (an unhandled exception is logged
      and answered as a JSON 500 carrying the request id);
    - adds ``GET /metrics`` (public only when ``settings.metrics_public``, else
      ``Authorization: Bearer <settings.metrics_token>``);
    - creates ``app.state.lifecycle`` (a :class:`Lifecycle`) when the app has none;
    - stores and returns the :class:`Metrics` as ``app.state.metrics``.

    Still to do by the caller: put :class:`RequestInfoExtension` in the Strawberry
    schema's ``extensions``, set ``request.state.request_info.shop`` after
    authentication, call ``metrics.watch_pool(engine)`` once the engine exists, and
    ``metrics.record_decision(action, rule_id)`` for each recommendation.
    """
    if getattr(app.state, "lifecycle", None) is None:
        app.state.lifecycle = Lifecycle()

    def lifecycle() -> Lifecycle | None:
        current = getattr(app.state, "lifecycle", None)
        return current if isinstance(current, Lifecycle) else None

    metrics = Metrics(lifecycle_source=lifecycle)
    app.state.metrics = metrics
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, lifecycle=lifecycle)
    # Added last, so outermost: it also catches what the request middleware raises.
    app.add_middleware(ErrorBoundaryMiddleware)
    app.add_route(
        "/metrics",
        make_metrics_endpoint(metrics, settings),
        methods=["GET"],
        include_in_schema=False,
    )
    return metrics
