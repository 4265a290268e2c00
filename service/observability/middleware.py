"""ASGI middleware: request id, one JSON log line per request, metrics, in-flight count."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.lifecycle import Lifecycle
from service.observability.logging import FIELDS_ATTR
from service.observability.metrics import Metrics
from service.observability.request_info import (
    REQUEST_ID_HEADER,
    Outcome,
    RequestInfo,
    accept_request_id,
    current_request_info,
)
from service.observability.tracing import current_trace_id

logger = logging.getLogger("aftersales.request")

# Probes and scrapes arrive every few seconds: logged at DEBUG so they do not drown the rest.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
UNMATCHED_ROUTE = "unmatched"
_REQUEST_ID_HEADER_BYTES = REQUEST_ID_HEADER.lower().encode()


class ObservabilityMiddleware:
    """Wraps every HTTP request; lifespan and websocket scopes pass straight through.

    Puts a :class:`RequestInfo` at ``scope["state"]["request_info"]`` (and in the
    :data:`current_request_info` context variable) before calling the app, echoes the
    request id in ``X-Request-ID``, and after the response logs one line and updates
    the request metrics. Only the fields of RequestInfo, the status and the duration
    are logged: never headers, query strings, bodies or GraphQL variables.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        lifecycle: Callable[[], Lifecycle | None],
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.lifecycle = lifecycle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        info = RequestInfo(
            request_id=accept_request_id(_header(scope, _REQUEST_ID_HEADER_BYTES)),
            method=scope["method"],
            path=scope["path"],
        )
        scope.setdefault("state", {})["request_info"] = info
        token = current_request_info.set(info)
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != _REQUEST_ID_HEADER_BYTES
                ]
                headers.append((_REQUEST_ID_HEADER_BYTES, info.request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        lifecycle = self.lifecycle()
        if lifecycle is not None:
            lifecycle.request_started()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_request_id)
        except BaseException:
            status = 500 if not response_started else status
            info.outcome = "error"
            raise
        finally:
            duration_s = time.perf_counter() - started
            if lifecycle is not None:
                lifecycle.request_finished()
            current_request_info.reset(token)
            self._finish(scope, info, status, duration_s)

    def _finish(self, scope: Scope, info: RequestInfo, status: int, duration_s: float) -> None:
        outcome = _outcome(info.outcome, status)
        route_obj = scope.get("route")
        route = getattr(route_obj, "path", None) or UNMATCHED_ROUTE
        operation = (
            self.metrics.operation_label(info.operation)
            if info.operation is not None or route == "/graphql"
            else None
        )
        self.metrics.observe_request(
            route=route, operation=operation, outcome=outcome, duration_s=duration_s
        )
        level = logging.DEBUG if info.path in QUIET_PATHS and outcome == "ok" else logging.INFO
        if outcome == "error":
            level = logging.ERROR
        if not logger.isEnabledFor(level):
            return  # at WARNING (production's usual level) an ordinary request logs nothing
        fields: dict[str, object] = {
            "request_id": info.request_id,
            "method": info.method,
            "path": info.path,
            "operation": info.operation,
            "shop": info.shop,
            "status": status,
            "outcome": outcome,
            "duration_ms": round(duration_s * 1000, 2),
        }
        # Taken now, inside the request's span: a handler may format the line later.
        trace_id = current_trace_id()
        if trace_id is not None:
            fields["trace_id"] = trace_id
        logger.log(level, "request", extra={FIELDS_ATTR: fields})


def _outcome(reported: Outcome | None, status: int) -> Outcome:
    if status >= 500:
        return "error"
    if reported is not None:
        return reported
    return "user_error" if status >= 400 else "ok"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            try:
                return str(value.decode("ascii"))
            except UnicodeDecodeError:
                return None
    return None
