"""A small Starlette + Strawberry app shaped like the real one, for observability tests.

Also runnable as a real server: ``python -m tests.observability.testapp --port N``.
The ``/sleep`` and ``/in-flight`` routes exist only here.
"""

from __future__ import annotations

import argparse
import asyncio

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from service.config import Settings
from service.lifecycle import Lifecycle
from service.observability import (
    RequestInfoExtension,
    configure_logging,
    instrument,
    record_decision,
)
from service.server import run


class Forbidden(Exception):
    """Shaped like the API's ClientError family: a class-level machine code."""

    code = "FORBIDDEN"


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, info: strawberry.Info, name: str = "world") -> str:
        request: Request = info.context["request"]
        request.state.request_info.shop = "shop-42"
        record_decision(request.app, "refund_only", "R7")
        return f"hello {name}"

    @strawberry.field
    def refused(self) -> str:
        raise GraphQLError("not allowed for this shop")

    @strawberry.field
    def forbidden(self) -> str:
        raise Forbidden("this token cannot do that")

    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError("resolver bug")


schema = strawberry.Schema(query=Query, extensions=[RequestInfoExtension])


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    lifecycle: Lifecycle = request.app.state.lifecycle
    if lifecycle.shutting_down:
        return PlainTextResponse("draining", status_code=503)
    return PlainTextResponse("ready")


async def sleep(request: Request) -> Response:
    seconds = min(float(request.query_params.get("s", "1")), 5.0)
    await asyncio.sleep(seconds)
    return JSONResponse({"slept": seconds})


async def in_flight(request: Request) -> Response:
    lifecycle: Lifecycle = request.app.state.lifecycle
    return JSONResponse({"in_flight": lifecycle.in_flight})


def create_test_app(settings: Settings) -> Starlette:
    app = Starlette(
        routes=[
            Route("/graphql", GraphQL(schema), methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/sleep", sleep),
            Route("/in-flight", in_flight),
        ]
    )
    app.state.lifecycle = Lifecycle()
    instrument(app, settings)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--shutdown-timeout", type=int, default=10)
    args = parser.parse_args()
    settings = Settings(shutdown_timeout_s=args.shutdown_timeout, metrics_public=True)
    configure_logging("INFO")
    run(create_test_app(settings), host="127.0.0.1", port=args.port, settings=settings)


if __name__ == "__main__":
    main()
