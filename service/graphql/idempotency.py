"""The ``Idempotency-Key`` request header (IETF httpapi draft, Stripe's behaviour).

The key covers the whole HTTP request, as the draft specifies, rather than a
per-mutation ``idempotencyKey`` input: a client's retry loop lives at the HTTP layer
(it resends the same bytes after a timeout), one key then covers every mutation of a
document, and a replay can hand back the exact response, status and body, without
running any resolver.

- No stored answer: the request runs; if it ran cleanly (HTTP 200, no GraphQL error)
  its status, media type and body are stored with a fingerprint of the request, in
  the transaction of its effect. A request that did not run cleanly (a refusal, an
  error, the database gone) stores nothing, so its retry runs anew.
- The same key and the same request (query, operationName and variables, compared
  after JSON parsing) within the TTL: the stored response, ``Idempotent-Replayed: true``.
- The same key and another request: 422 ``IDEMPOTENCY_KEY_REUSED``.
- The same key while its first request still runs: 409
  ``IDEMPOTENCY_KEY_IN_PROGRESS`` with ``Retry-After`` (retryable).

Keys belong to the token's shop: two shops may use the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from service.graphql import http
from service.graphql.refusal_codes import RequestErrorCode
from service.http_errors import RequestRefused
from service.store import idempotency as store

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
IN_PROGRESS_RETRY_AFTER_S = 1


def read_key(request: Request) -> str | None:
    """The request's key, or None without the header. The draft sends it as a
    structured-field string (``"abc"``); Stripe's clients send it bare: both count."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in key):
        raise RequestRefused(
            400,
            f"the {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters,"
            " e.g. a UUID",
            field=HEADER,
        )
    return key


def fingerprint(body: bytes) -> str | None:
    """SHA-256 of the operation a JSON body carries, or None when the body is not a
    JSON object (the request is then refused later, and nothing is stored)."""
    try:
        data = http.decode_json(body)
    except RequestRefused:
        return None
    if not isinstance(data, dict):
        return None
    operation = {name: data.get(name) for name in ("query", "operationName", "variables")}
    canonical = json.dumps(operation, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Claim:
    shop_id: int
    key: str
    fingerprint: str


class Idempotency:
    """Keys of one replica's requests: claims them, replays and stores answers."""

    def __init__(self, ttl: timedelta) -> None:
        self.ttl = ttl
        # Keys this replica is running now. Across replicas the database claim decides;
        # this set answers at once on SQLite, whose claim would wait for the lock.
        self._running: set[tuple[int, str]] = set()

    async def start(
        self,
        request: Request,
        open_session: Callable[[], AsyncSession],
        shop_id: int,
        now: datetime,
    ) -> Claim | Response | None:
        """A claim to run under, the response to give instead of running, or None when
        the request carries no key (or is no POST: only POST has effects). The session
        is opened only for a request that carries a key."""
        if request.method != "POST":
            return None
        key = read_key(request)
        if key is None:
            return None
        printed = fingerprint(await request.body())
        if printed is None:
            return None
        session = open_session()
        if (shop_id, key) in self._running or not await store.claim(session, shop_id, key):
            return _in_progress(request)
        stored = await store.find(session, shop_id, key, now)
        if stored is None:
            self._running.add((shop_id, key))
            return Claim(shop_id, key, printed)
        if stored.fingerprint != printed:
            return http.refusal_response(
                request,
                RequestRefused(
                    422,
                    f"this {HEADER} was used for another request in the last"
                    f" {self.ttl.total_seconds() / 3600:g} h: use a new key for a new request",
                    code=RequestErrorCode.IDEMPOTENCY_KEY_REUSED.value,
                    field=HEADER,
                ),
            )
        return Response(
            stored.body,
            status_code=stored.status_code,
            media_type=stored.content_type,
            headers={REPLAYED_HEADER: "true"},
        )

    def release(self, claim: Claim) -> None:
        self._running.discard((claim.shop_id, claim.key))

    async def save(
        self, session: AsyncSession, claim: Claim, response: Response, now: datetime
    ) -> None:
        """Store the answer in the session's transaction (the caller commits it with
        the request's effect)."""
        answer = store.StoredAnswer(
            fingerprint=claim.fingerprint,
            status_code=response.status_code,
            content_type=response.headers.get("content-type", http.JSON),
            body=bytes(response.body),
        )
        await store.save(session, claim.shop_id, claim.key, answer, now=now, ttl=self.ttl)


def _in_progress(request: Request) -> Response:
    return http.refusal_response(
        request,
        RequestRefused(
            409,
            f"a request with this {HEADER} is still running: retry after it ends",
            code=RequestErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS.value,
            field=HEADER,
            headers={"Retry-After": str(IN_PROGRESS_RETRY_AFTER_S)},
        ),
    )
