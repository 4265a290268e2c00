"""The last line of defence: an exception nothing else handled, in the app or in a
middleware, is logged with its traceback and answered as a JSON GraphQL error carrying
the request id, never as Starlette's plain-text page."""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http_errors import JSON, error_body, with_charset
from service.observability.logging import FIELDS_ATTR
from service.observability.request_info import (
    REQUEST_ID_HEADER,
    RequestInfo,
    accept_request_id,
)

logger = logging.getLogger("aftersales.error")

MESSAGE = "Internal error. It has been logged; quote the request id when reporting it."


class ErrorBoundaryMiddleware:
    """Outermost middleware: wraps everything, the request middleware included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False
        response_complete = False

        async def watching_send(message: Message) -> None:
            nonlocal response_started, response_complete
            if message["type"] == "http.response.start":
                response_started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                response_complete = True
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception:
            request_id = _request_id(scope)
            logger.exception(
                "unhandled error",
                extra={
                    FIELDS_ATTR: {
                        "request_id": request_id,
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "response_started": response_started,
                    }
                },
            )
            if response_complete:
                # The client has its whole answer (the failure came after, in logging
                # or metrics): logged above, nothing more to do.
                return
            if response_started:
                # Too late for an error body: let the server abort the connection.
                raise
            response = JSONResponse(
                error_body(MESSAGE, "INTERNAL_SERVER_ERROR", requestId=request_id),
                status_code=500,
                headers={REQUEST_ID_HEADER: request_id},
                media_type=with_charset(JSON),
            )
            await response(scope, receive, send)


def _request_id(scope: Scope) -> str:
    """The id the request middleware gave this request; a fresh one if it never ran."""
    info = scope.get("state", {}).get("request_info")
    if isinstance(info, RequestInfo):
        return info.request_id
    header = next(
        (v for k, v in scope.get("headers", []) if k.lower() == REQUEST_ID_HEADER.lower().encode()),
        None,
    )
    return accept_request_id(header.decode("latin-1") if header is not None else None)
