"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): which media
type to answer with, how to read one operation from a request, and how a refused
request is answered.

Request errors (a body that is not a JSON object, ill-typed parameters) answer 400
whatever the media type. A document that fails to parse or validate, or variables that
fail coercion, answer 400 without ``data`` under ``application/graphql-response+json``
and 200 with ``"data": null`` under ``application/json``, as the spec asks of each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from service.http_errors import JSON, RequestRefused, refused_response

__all__ = [
    "GRAPHQL_RESPONSE",
    "JSON",
    "decode_body",
    "decode_json",
    "is_request_error",
    "media_type_of",
    "negotiate",
    "read_operation",
    "refusal_response",
    "require_media_type",
    "shape_for_media_type",
    "status_for",
]

GRAPHQL_RESPONSE = "application/graphql-response+json"
# Served types, most preferred first when a client's Accept weighs them equally.
SERVED = (JSON, GRAPHQL_RESPONSE)
# A GraphQL value never needs this many digits (Int is 32-bit); Python refuses to
# convert more than 4,300 anyway, inside the JSON parser.
MAX_INTEGER_DIGITS = 1000
EXAMPLE_BODY = 'a JSON object like {"query": "{ shop { id } }"}'


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when ``accept`` allows neither we serve.

    No Accept, an empty one and ``*/*`` give ``application/json``. Otherwise the served
    type with the highest q-value wins; on a tie, the more specific range, then the one
    the client listed first.
    """
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    ranges = _parse_accept(accept)
    for served in SERVED:
        rank = _rank(served, ranges)
        if rank is not None and rank[0] > 0 and (best is None or rank > best):
            best, chosen = rank, served
    return chosen


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if "/" not in media:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = -1.0
        if 0.0 <= weight <= 1.0:
            ranges.append((media.lower(), weight))
    return ranges


def _rank(served: str, ranges: list[tuple[str, float]]) -> tuple[float, int, int] | None:
    """(q, specificity, -position) of the most specific range matching ``served``."""
    kind = served.split("/", 1)[0]
    found: tuple[float, int, int] | None = None
    for position, (media, weight) in enumerate(ranges):
        if media == served:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if found is None or specificity > found[1]:
            found = (weight, specificity, -position)
    return found


def media_type_of(request: Request) -> str:
    """The negotiated media type, or ``application/json`` when none can be served
    (a 406 refusal still has to be written in some type)."""
    return negotiate(request.headers.get("accept")) or JSON


def require_media_type(accept: str | None) -> str:
    media_type = negotiate(accept)
    if media_type is None:
        raise RequestRefused(
            406,
            f"cannot answer in any type the Accept header allows: send Accept: "
            f"{GRAPHQL_RESPONSE} or {JSON}",
        )
    return media_type


async def read_operation(request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
    """The one operation a GET's query string or a POST's JSON body carries.

    Raises :class:`RequestRefused` naming the parameter at fault.
    """
    if request.method == "GET":
        data: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            text = data.get(name)
            if isinstance(text, str):
                data[name] = decode_json(text, field=name) if text else None
    else:
        _require_json_content_type(request.content_type)
        body = await request.get_body()
        if not body.strip():
            raise RequestRefused(400, f"the request body is empty: send {EXAMPLE_BODY}")
        decoded = decode_body(body)
        if isinstance(decoded, list):
            raise RequestRefused(
                400,
                "batched requests (a JSON array) are not supported: send one operation per request",
            )
        if not isinstance(decoded, dict):
            raise RequestRefused(
                400, f"the request body must be a JSON object, not {_json_kind(decoded)}"
            )
        data = decoded
    return _operation(data)


def _require_json_content_type(content_type: str | None) -> None:
    media, *params = (piece.strip() for piece in (content_type or "").split(";"))
    if media.lower() != JSON:
        shown = media or "none"
        raise RequestRefused(
            415,
            f"unsupported Content-Type {shown!r}: send the operation as {JSON}",
            headers={"Accept-Post": JSON},
        )
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise RequestRefused(
                415, f"unsupported charset {value.strip()!r}: send the body as UTF-8"
            )


# The request body's JSON, decoded once per request: the cost gate reads the operation
# before the GraphQL view does (each request runs in its own context).
_decoded_body: ContextVar[tuple[bytes, Any] | None] = ContextVar("decoded_body", default=None)


def decode_body(body: bytes) -> Any:
    """``decode_json(body)``, remembered for this request's same body. The result is
    shared: callers read it and never change it."""
    seen = _decoded_body.get()
    if seen is not None and seen[0] is body:
        return seen[1]
    decoded = decode_json(body)
    _decoded_body.set((body, decoded))
    return decoded


def decode_json(raw: bytes | str, *, field: str | None = None) -> Any:
    """Parse strict JSON (no NaN or Infinity, integers of bounded length) from UTF-8."""
    where = f"`{field}`" if field else "the request body"
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestRefused(
                400, f"{where} is not UTF-8 (byte {exc.start})", field=field
            ) from None
    try:
        if raw.startswith("\ufeff"):  # as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", raw, 0)
        return _DECODER.decode(raw)
    except json.JSONDecodeError as exc:
        raise RequestRefused(
            400,
            f"{where} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            field=field,
        ) from None
    except _NotJson as exc:
        raise RequestRefused(400, f"{where} is not valid JSON: {exc}", field=field) from None
    except RecursionError:
        raise RequestRefused(400, f"{where} is nested too deeply", field=field) from None


class _NotJson(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INTEGER_DIGITS + 1:  # a leading minus sign does not count
        raise _NotJson(f"a number has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")


# What json.loads(raw, parse_int=…, parse_constant=…) builds on every call, built once.
_DECODER = json.JSONDecoder(parse_int=_bounded_int, parse_constant=_no_constant)


def _operation(data: Mapping[str, Any]) -> GraphQLRequestData:
    query = data.get("query")
    if query is None:
        raise RequestRefused(
            400, "missing `query`: send the GraphQL document as a string", field="query"
        )
    if not isinstance(query, str):
        raise _ill_typed("query", query, "a string")
    operation_name = data.get("operationName")
    if not isinstance(operation_name, str | None):
        raise _ill_typed("operationName", operation_name, "a string or null")
    variables = data.get("variables")
    if not isinstance(variables, dict | None):
        raise _ill_typed("variables", variables, "an object or null")
    extensions = data.get("extensions")
    if not isinstance(extensions, dict | None):
        raise _ill_typed("extensions", extensions, "an object or null")
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=operation_name,
        extensions=extensions,
        protocol="http",
    )


def _ill_typed(field: str, value: object, expected: str) -> RequestRefused:
    return RequestRefused(
        400, f"`{field}` must be {expected}, not {_json_kind(value)}", field=field
    )


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def refusal_response(request: Request, exc: HTTPException) -> Response:
    """The JSON answer to a refusal raised inside the view's ``run``: ours, or one of
    Strawberry's (which only carry a status and a reason)."""
    if not isinstance(exc, RequestRefused):
        exc = _translate(exc)
    return refused_response(exc, media_type=media_type_of(request))


def _translate(exc: HTTPException) -> RequestRefused:
    if isinstance(exc.__cause__, InvalidOperationTypeError):
        # Only a mutation (or subscription) can be refused for its method: GET is safe.
        return RequestRefused(
            405,
            "mutations are only accepted over POST",
            headers={"Allow": "POST"},
        )
    if exc.status_code == 405:
        return RequestRefused(405, exc.reason, headers={"Allow": "GET, POST"})
    return RequestRefused(exc.status_code, exc.reason)


def is_request_error(result: ExecutionResult) -> bool:
    """True when the operation never ran: a parse or validation failure, variables that
    failed coercion, an unknown operation name. Those errors have no path; an error in a
    resolver always has one, even when it nulls the whole ``data``."""
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or [])
    )


def shape_for_media_type(
    response: GraphQLHTTPResponse, result: ExecutionResult, media_type: str
) -> GraphQLHTTPResponse:
    """Under ``application/graphql-response+json`` a request error carries no ``data``
    (and so answers 400, see :func:`status_for`)."""
    if media_type == GRAPHQL_RESPONSE and is_request_error(result):
        response.pop("data", None)
    return response


def status_for(response: GraphQLHTTPResponse | list[GraphQLHTTPResponse], media_type: str) -> int:
    if media_type == GRAPHQL_RESPONSE and isinstance(response, dict) and "data" not in response:
        return 400
    return 200
