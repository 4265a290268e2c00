"""Per-request facts the middleware logs and the GraphQL layer fills in."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["ok", "user_error", "error"]

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,128}")

# Set by the middleware for the duration of one request, so code that has no handle on
# the ASGI scope (a Strawberry extension, a log call deep in a service) can still reach it.
current_request_info: ContextVar[RequestInfo | None] = ContextVar(
    "current_request_info", default=None
)


@dataclass(slots=True)
class RequestInfo:
    """Mutable record of one request, at ``scope["state"]["request_info"]``.

    The middleware creates it; the GraphQL extension sets ``operation`` and
    ``outcome``; the GraphQL layer sets ``shop`` after authentication. Only these
    fields are ever logged: never headers, bodies or GraphQL variables.
    """

    request_id: str
    method: str
    path: str
    operation: str | None = None
    shop: str | None = None
    outcome: Outcome | None = None


def accept_request_id(value: str | None) -> str:
    """Return the caller's request id when it is safe to echo, else a fresh uuid4 hex."""
    if value is not None and _REQUEST_ID_RE.fullmatch(value):
        return value
    return uuid.uuid4().hex
