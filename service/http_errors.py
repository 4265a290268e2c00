"""Refusals outside GraphQL execution, always as a JSON GraphQL error body.

Every answer the service gives, whatever went wrong, has the shape
``{"errors": [{"message": ..., "extensions": {"code": ...}}]}``, so a client parses one
format and branches on ``extensions.code``; no plain-text page leaves the service.
"""

from __future__ import annotations

from collections.abc import Mapping

from cross_web import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

JSON = "application/json"

# The code for each status a refusal can have; anything else 4xx is BAD_REQUEST.
CODES_BY_STATUS: Mapping[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_SERVER_ERROR",
}


class RequestRefused(HTTPException):
    """A request refused before execution: status, code, message and the parameter at fault.

    A subclass of Strawberry's ``HTTPException``, so raising it anywhere inside the view's
    ``run`` ends the request the same way Strawberry's own refusals do.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message)
        self.code = code or code_for(status_code)
        self.field = field
        self.headers = dict(headers or {})


class BodyTooLarge(RequestRefused):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"the request body is larger than {limit} bytes",
            code="PAYLOAD_TOO_LARGE",
        )


def code_for(status: int) -> str:
    return CODES_BY_STATUS.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL_SERVER_ERROR")


def error_body(message: str, code: str, **extensions: object) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def refused_response(refusal: RequestRefused, *, media_type: str = JSON) -> Response:
    extensions: dict[str, object] = {}
    if refusal.field is not None:
        extensions["field"] = refusal.field
    return JSONResponse(
        error_body(refusal.reason, refusal.code, **extensions),
        status_code=refusal.status_code,
        headers=refusal.headers,
        media_type=with_charset(media_type),
    )


def with_charset(media_type: str) -> str:
    # Every body the service writes is UTF-8; say so as the GraphQL answers do.
    return f"{media_type}; charset=utf-8"


async def starlette_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown path, method not routed) as JSON errors."""
    assert isinstance(exc, StarletteHTTPException)
    refusal = RequestRefused(exc.status_code, exc.detail, headers=exc.headers)
    return refused_response(refusal)
