"""The codes a refused request carries in ``errors[].extensions.code``, as a schema
enum so that clients generate them and every code has a description in the SDL.

No field returns this enum: these refusals come before (or instead of) execution, as
HTTP statuses with a GraphQL-shaped JSON body; see the README's table.
"""

from __future__ import annotations

from enum import Enum

from service.graphql.described import described_enum


class RequestErrorCode(Enum):
    IDEMPOTENCY_KEY_IN_PROGRESS = "IDEMPOTENCY_KEY_IN_PROGRESS"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
    THROTTLED = "THROTTLED"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"


described_enum(
    RequestErrorCode,
    "Codes of requests refused before or instead of running, found in"
    " `errors[].extensions.code` of an HTTP 4xx/5xx answer (no field returns this type)."
    " Retry those marked retryable with the same Idempotency-Key.",
    {
        "IDEMPOTENCY_KEY_IN_PROGRESS": "HTTP 409: a request with this Idempotency-Key is still"
        " running. Retryable, after the Retry-After seconds.",
        "IDEMPOTENCY_KEY_REUSED": "HTTP 422: this Idempotency-Key was used in the last 24 h"
        " for a different request (query, operationName or variables). Use a new key.",
        "MAX_COST_EXCEEDED": "HTTP 400: the query's calculated cost is over the per-query"
        " maximum; `extensions.cost` gives both. Ask for fewer items or fields.",
        "THROTTLED": "HTTP 429: the token's bucket holds fewer points than the query costs."
        " Retryable, after the Retry-After seconds.",
        "DATABASE_UNAVAILABLE": "HTTP 503: the database could not be reached; nothing was"
        " written. Retryable, after the Retry-After seconds.",
    },
)
