"""Query cost and rate limit at the endpoint: each request's cost is calculated from
its document and charged to its token's bucket before it runs (so before any SQL of
its own); ``extensions.cost`` reports both costs and the bucket afterwards.

- Over ``AFTERSALES_QUERY_MAX_COST``: HTTP 400 ``MAX_COST_EXCEEDED``, nothing charged.
- Bucket short of the cost: HTTP 429 ``THROTTLED`` with ``Retry-After`` (seconds).

The requested cost is what is charged; the actual cost (the items really returned)
is reported so a client can size its next pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSchema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.config import Settings
from service.graphql import http
from service.graphql.refusal_codes import RequestErrorCode
from service.graphql.schema import MAX_TOKENS
from service.http_errors import RequestRefused, error_body, with_charset
from service.limits.bucket import BucketState, CostBuckets
from service.limits.cost import Operation, actual_cost, operation_of, requested_cost


@dataclass(frozen=True)
class Charge:
    operation: Operation
    requested: int
    bucket: BucketState


def buckets_for(settings: Settings) -> CostBuckets:
    """The replica's token buckets (in memory, or shared through Redis)."""
    return CostBuckets(
        settings.rate_limit_points, settings.rate_limit_restore_per_s, settings.redis_url
    )


class CostGate:
    def __init__(
        self, schema: GraphQLSchema, settings: Settings, buckets: CostBuckets | None = None
    ) -> None:
        self.schema = schema
        self.max_cost = settings.query_max_cost
        # Shared by every endpoint of the replica: a token has one bucket, whichever
        # endpoint it calls.
        self.buckets = buckets if buckets is not None else buckets_for(settings)

    async def charge(self, request: Request, token_id: int) -> Response | None:
        """The refusal to answer instead of running, or None (the charge is kept on the
        request for :meth:`report`)."""
        operation = await _operation(request)
        if operation is None:
            return None  # refused later, before anything runs
        requested = requested_cost(self.schema, operation)
        if requested > self.max_cost:
            return _refusal(
                request,
                400,
                f"this query's calculated cost is {requested}, over the maximum of"
                f" {self.max_cost}: ask for fewer items (smaller `first`) or fewer fields",
                RequestErrorCode.MAX_COST_EXCEEDED.value,
                {"requestedQueryCost": requested, "maximumQueryCost": self.max_cost},
            )
        bucket = await self.buckets.take(f"token:{token_id}", requested)
        cost = {"requestedQueryCost": requested, "throttleStatus": bucket.as_extension()}
        if not bucket.allowed:
            return _refusal(
                request,
                429,
                f"this token's bucket holds {bucket.available} points, the query costs"
                f" {requested}: retry in {bucket.retry_after_s} s",
                RequestErrorCode.THROTTLED.value,
                cost,
                headers={"Retry-After": str(bucket.retry_after_s)},
            )
        request.state.cost_charge = Charge(operation, requested, bucket)
        return None

    def report(self, request: Request, data: Any) -> dict[str, Any] | None:
        charge: Charge | None = getattr(request.state, "cost_charge", None)
        if charge is None:
            return None
        return {
            "requestedQueryCost": charge.requested,
            "actualQueryCost": actual_cost(self.schema, charge.operation, data),
            "throttleStatus": charge.bucket.as_extension(),
        }


async def _operation(request: Request) -> Operation | None:
    try:
        if request.method == "POST":
            data = http.decode_body(await request.body())
        else:
            data = dict(request.query_params)
            if isinstance(data.get("variables"), str):
                data["variables"] = http.decode_json(data["variables"])
    except RequestRefused:
        return None
    if not isinstance(data, dict):
        return None
    query, name, variables = data.get("query"), data.get("operationName"), data.get("variables")
    if (
        not isinstance(query, str)
        or not isinstance(name, str | None)
        or not isinstance(variables, dict | None)
    ):
        return None
    return operation_of(query, name, variables, MAX_TOKENS)


def _refusal(
    request: Request,
    status: int,
    message: str,
    code: str,
    cost: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Response:
    return JSONResponse(
        error_body(message, code, cost=cost),
        status_code=status,
        headers=headers,
        media_type=with_charset(http.media_type_of(request)),
    )
