"""Per-request facts the middleware logs and the GraphQL layer fills in."""

from __future__ import annotations

import os
import re
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
    return _fresh_ids.next()


class _Uuid4Hex:
    """Random (version 4) UUIDs as hex, from ``os.urandom`` read 4 KiB at a time.

    ``uuid.uuid4().hex`` makes a system call and a ``UUID`` object per id: about 1.7 µs,
    the cost of a few GraphQL fields, on every request. This is the same randomness
    and format in about 0.7 µs. A forked child starts with an empty pool, so two
    workers never hand out the same ids. Called from the event loop's thread only (the
    middleware), so the pool needs no lock.
    """

    _SIZE = 4096
    # RFC 9562: version 4 in bits 48-51, variant 0b10 in bits 64-65 (from the left).
    _CLEAR = ~((0xF << 76) | (0x3 << 62))
    _SET = (0x4 << 76) | (0x2 << 62)

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0
        os.register_at_fork(after_in_child=self._empty)

    def _empty(self) -> None:
        self._pool = b""
        self._at = 0

    def next(self) -> str:
        at = self._at
        if at >= len(self._pool):
            self._pool = os.urandom(self._SIZE)
            at = 0
        self._at = at + 16
        bits = int.from_bytes(self._pool[at : at + 16]) & self._CLEAR | self._SET
        return f"{bits:032x}"


_fresh_ids = _Uuid4Hex()
