"""An exception nothing handled, in a route or in a middleware, ends as a logged JSON 500
carrying the request id: never Starlette's plain-text page."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from service.lifecycle import Lifecycle
from tests.observability.conftest import make_client


async def crash(request: Request) -> Response:
    raise RuntimeError("a bug in a route")


def assert_json_500(response: httpx.Response, request_id: str) -> None:
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-request-id"] == request_id
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "bug" not in error["message"]


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "aftersales.error"]


async def test_an_exception_in_a_route_is_a_logged_json_500(
    app_factory: Callable[..., Starlette], caplog: pytest.LogCaptureFixture
) -> None:
    # given
    app = app_factory()
    app.add_route("/crash", crash)
    # when
    async with make_client(app) as client:
        response = await client.get("/crash", headers={"X-Request-ID": "req-500"})
    # then
    assert_json_500(response, "req-500")
    [record] = logged_errors(caplog)
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.fields["request_id"] == "req-500"  # type: ignore[attr-defined]


async def test_an_exception_in_a_middleware_is_a_logged_json_500(
    app_factory: Callable[..., Starlette], caplog: pytest.LogCaptureFixture
) -> None:
    # given a request middleware whose metrics fail after the route answered
    app = app_factory()

    def broken(**_: object) -> None:
        raise TypeError("metrics bug")

    app.state.metrics.observe_request = broken
    # when
    async with make_client(app) as client:
        response = await client.get("/nowhere", headers={"X-Request-ID": "req-mw"})
    # then the 404 was already sent, so it stands, and the failure is logged
    assert response.status_code == 404
    [record] = logged_errors(caplog)
    assert record.fields["response_started"] is True  # type: ignore[attr-defined]


async def test_an_exception_in_a_middleware_before_answering_is_a_json_500(
    app_factory: Callable[..., Starlette], caplog: pytest.LogCaptureFixture
) -> None:
    # given a lifecycle that fails as the request middleware counts the request in
    app = app_factory()

    class Broken(Lifecycle):
        def request_started(self) -> None:
            raise RuntimeError("lifecycle bug")

    app.state.lifecycle = Broken()
    # when
    async with make_client(app) as client:
        response = await client.get("/healthz", headers={"X-Request-ID": "req-early"})
    # then
    assert_json_500(response, "req-early")
    assert len(logged_errors(caplog)) == 1
