"""The /graphql endpoint: authenticates, runs the operation, and ends the request's
transaction: a commit only when a mutation wrote and nothing failed, else a rollback.

The session is opened lazily (see :class:`Context`): a request whose token and shop
policy are cached on this replica touches no database at all.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult

from service.config import Settings
from service.db import tenancy
from service.db.availability import is_unavailable
from service.graphql import http
from service.graphql.context import Context
from service.graphql.cost_gate import CostGate, buckets_for
from service.graphql.errors import DATABASE_UNAVAILABLE, database_unavailable
from service.graphql.idempotency import Claim, Idempotency
from service.graphql.prepared import PreparedOperations
from service.graphql.subscriptions import ConnectionRejectionError, token_of
from service.http_errors import with_charset
from service.limits.bucket import CostBuckets
from service.observability.graphql_extension import note_answered
from service.store.policy_cache import PolicyCache
from service.store.tokens import PrincipalCache, authenticate
from service.web.graphiql import GraphiQLPage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicaState:
    """What the replica's GraphQL endpoints (``/graphql``, ``/subgraph``) share: one
    token cache, one policy cache (a policy change made through either is seen at once
    by both), and one bucket per token (calling both does not double its rate)."""

    principals: PrincipalCache
    policies: PolicyCache
    buckets: CostBuckets

    @classmethod
    def for_settings(cls, settings: Settings) -> ReplicaState:
        return cls(
            PrincipalCache(ttl_s=settings.token_cache_ttl_s),
            PolicyCache(ttl_s=settings.policy_cache_ttl_s),
            buckets_for(settings),
        )


def _unauthorized(message: str) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="aftersales"'},
    )


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: BaseSchema,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Callable[[], datetime],
        ide: GraphiQLPage | None = None,
        shared: ReplicaState | None = None,
    ) -> None:
        # Strawberry's own IDE page loads its scripts from a CDN; ``ide`` replaces it.
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.ide = ide
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.clock = clock
        state = shared if shared is not None else ReplicaState.for_settings(settings)
        self.principals = state.principals
        self.policies = state.policies
        self.idempotency = Idempotency(timedelta(hours=settings.idempotency_ttl_h))
        self.costs = CostGate(schema._schema, settings, state.buckets)  # type: ignore[attr-defined]
        self.websockets = schema.subscription is not None
        # recommend's hot path, compiled once per document (see service.graphql.prepared).
        self.prepared = PreparedOperations(schema)  # type: ignore[arg-type]

    async def on_ws_connect(self, context: Any) -> Any:
        """Authenticate a websocket by the token in its connection_init payload."""
        token = token_of(context.get("connection_params"))
        if token is None:
            raise ConnectionRejectionError({"message": "send the token in connection_init"})
        async with self.sessionmaker() as session:
            principal = await authenticate(session, token)
        if principal is None:
            raise ConnectionRejectionError({"message": "invalid or revoked token"})
        context["shop_id"] = principal.shop_id
        return await super().on_ws_connect(context)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.websockets:
            await super().__call__(scope, receive, send)  # caseEvents subscriptions
            return
        if scope["type"] != "http":
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        request = Request(scope, receive)
        if _wants_ide(request):
            # The IDE page itself is public; every query it sends carries the token.
            page = self.ide(request) if self.ide else PlainTextResponse("Not Found", 404)
            await page(scope, receive, send)
            return
        response = await self._handle(request)
        await response(scope, receive, send)

    async def _handle(self, request: Request) -> Response:
        try:
            return await self._handle_authenticated(request)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            log.warning("database unavailable: %s", type(exc).__name__)
            return http.refusal_response(request, database_unavailable())

    async def _handle_authenticated(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
        token = token.strip()
        moment = time.monotonic()
        principal = self.principals.get(token, moment)
        opened: AsyncSession | None = None
        if principal is None:
            opened = self.sessionmaker()
            try:
                principal = await authenticate(opened, token)
            except BaseException:
                await opened.close()
                raise
            if principal is None:
                await opened.close()
                return _unauthorized("invalid or revoked token")
            self.principals.put(token, principal, moment)
            try:
                # The token was looked up across shops; the rest of the request is
                # the shop's alone (row-level security, service/db/tenancy.py).
                await tenancy.enter(opened, principal.shop_id)
            except BaseException:
                await opened.close()
                raise
        request_info = getattr(request.state, "request_info", None)
        if request_info is not None:
            request_info.shop = str(principal.shop_id)
        context = Context(
            request=request,
            sessionmaker=self.sessionmaker,
            principal=principal,
            settings=self.settings,
            now=self.clock(),
            metrics=getattr(request.app.state, "metrics", None),
            policy_cache=self.policies,
            opened=opened,
        )
        claim: Claim | None = None
        try:
            refusal = await self.costs.charge(request, principal.token_id)
            if refusal is not None:
                await context.finish(commit=False)
                return refusal
            try:
                started = await self.idempotency.start(
                    request, lambda: context.session, principal.shop_id, context.now
                )
            except HTTPException as exc:
                await context.finish(commit=False)
                return http.refusal_response(request, exc)
            if isinstance(started, Response):
                await context.finish(commit=False)
                return started
            claim = started
            try:
                try:
                    response = await self._prepared_answer(request, context)
                    if response is None:
                        response = await self.run(request, context=context)
                finally:
                    # Resolvers orphaned by a failed gather may still be using the
                    # session: let the one under way finish and refuse the rest
                    # before the transaction ends and the session closes.
                    await context.db_lock.close()
            except HTTPException as exc:
                await context.finish(commit=False)
                return http.refusal_response(request, exc)
            except BaseException:
                await context.finish(commit=False)
                raise
            if context.failed or response.status_code >= 400:
                await context.finish(commit=False)
                if context.failed and _reports_unavailable(response):
                    return http.refusal_response(request, database_unavailable())
                return response
            if claim is not None:
                # The answer is stored in the transaction of the effect it answers for.
                await self.idempotency.save(context.session, claim, response, context.now)
            commit = context.writes or claim is not None
            await context.finish(commit=commit, answered=not commit)
            return response
        except BaseException:
            # Whatever escaped (a database lost while claiming the key, say): the
            # session still goes back to the pool.
            await context.finish(commit=False)
            raise
        finally:
            if claim is not None:
                self.idempotency.release(claim)
            context.release()

    async def _prepared_answer(self, request: Request, context: Context) -> Response | None:
        """The answer of a prepared operation (see service.graphql.prepared), or None
        when the general path must answer: it then reads the request again and refuses
        whatever is wrong with it in its usual words."""
        if not self.prepared.enabled:
            return None
        try:
            media_type = http.require_media_type(request.headers.get("accept"))
            operation = await http.read_operation(self.request_adapter_class(request))
        except HTTPException:
            return None
        if operation.extensions or operation.query is None:
            return None
        answer = await self.prepared.run(
            operation.query, operation.operation_name, operation.variables, context
        )
        if answer is None:
            return None
        note_answered(context, answer.operation_name)
        response: GraphQLHTTPResponse = {"data": answer.data}
        cost = self.costs.report(request, answer.data)
        if cost is not None:
            response["extensions"] = {"cost": cost}
        # What create_response makes of a sub-response that set nothing, built at once.
        return Response(self.encode_json(response), media_type=with_charset(media_type))

    def encode_json(self, data: object) -> bytes:
        # orjson: several times faster than json.dumps, UTF-8 out (the responses say
        # charset=utf-8). Anything it refuses (an integer beyond 64 bits) takes the
        # standard library's path.
        try:
            return orjson.dumps(data)
        except TypeError:
            return json.dumps(data, separators=(",", ":")).encode()

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        # The response's media type travels to `create_response` on the sub-response.
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            sub_response.media_type = http.media_type_of(request)
        return sub_response

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        # Here, not earlier: the GraphiQL page is served (as HTML) before this point.
        http.require_media_type(request.headers.get("accept"))
        return await http.read_operation(request)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or http.JSON
        response.headers["content-type"] = with_charset(media_type)
        if not sub_response.status_code:
            response.status_code = http.status_for(response_data, media_type)
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = http.shape_for_media_type(
            process_result(result), result, http.media_type_of(request)
        )
        cost = self.costs.report(request, result.data)
        if cost is not None:
            response["extensions"] = {**(response.get("extensions") or {}), "cost": cost}
        # Parse errors (syntax, too many tokens) leave Strawberry before the schema
        # extensions see the result; give them their code here.
        for error in response.get("errors") or []:
            if not isinstance(error, dict):
                continue
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                parse = error.get("message", "").startswith("Syntax Error")
                extensions["code"] = "GRAPHQL_PARSE_FAILED" if parse else "BAD_REQUEST"
        return response


def _reports_unavailable(response: Response) -> bool:
    """Whether a failed GraphQL answer lost the database under some resolver."""
    try:
        body = orjson.loads(bytes(response.body))
    except orjson.JSONDecodeError:
        return False
    errors = body.get("errors") if isinstance(body, dict) else None
    return any(
        isinstance(error, dict) and error.get("extensions", {}).get("code") == DATABASE_UNAVAILABLE
        for error in errors or []
    )


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )
