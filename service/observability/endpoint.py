"""The ``/metrics`` endpoint and its access rule."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from service.config import Settings
from service.observability.metrics import CONTENT_TYPE_LATEST, Metrics


def make_metrics_endpoint(
    metrics: Metrics, settings: Settings
) -> Callable[[Request], Awaitable[Response]]:
    """A request handler (a plain function, so Starlette treats it as an endpoint)."""
    guard = _Endpoint(metrics, settings)

    async def metrics_endpoint(request: Request) -> Response:
        return await guard(request)

    return metrics_endpoint


class _Endpoint:
    """Open when ``metrics_public``; else a bearer ``metrics_token`` is required."""

    def __init__(self, metrics: Metrics, settings: Settings) -> None:
        self._metrics = metrics
        self._public = settings.metrics_public
        self._token = settings.metrics_token

    async def __call__(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return Response(self._metrics.render(), media_type=CONTENT_TYPE_LATEST)

    def _refusal(self, request: Request) -> Response | None:
        if self._public:
            return None
        if not self._token:
            return PlainTextResponse(
                "metrics are disabled: set AFTERSALES_METRICS_TOKEN "
                "or AFTERSALES_METRICS_PUBLIC=true",
                status_code=403,
            )
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode(), self._token.encode()
        ):
            return None
        return PlainTextResponse(
            "bearer token required",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
