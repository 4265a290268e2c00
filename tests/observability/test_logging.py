from __future__ import annotations

import logging
from typing import Any

import httpx
import orjson
import pytest
from graphql import GraphQLError

from service.observability.graphql_extension import _is_unexpected
from service.observability.logging import JsonFormatter, configure_logging
from service.observability.request_info import accept_request_id

SECRET = "secret-token-123"
HELLO = "query Greeting($name: String!) { hello(name: $name) }"
BUYER_NAME = "Wang Xiaoming 13800138000"


def json_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [
        orjson.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "aftersales.request"
    ]


async def test_request_log_line_has_no_token_and_echoes_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    caplog.set_level(logging.DEBUG)

    # when
    response = await client.post(
        "/graphql?token=" + SECRET,
        json={"query": HELLO, "variables": {"name": BUYER_NAME}},
        headers={"Authorization": f"Bearer {SECRET}", "X-Request-ID": "req-abc.123_X"},
    )

    # then
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-abc.123_X"
    formatter = JsonFormatter()
    # every line the service wrote (httpx's own client-side line is not the service's)
    raw = "\n".join(formatter.format(r) for r in caplog.records if r.name != "httpx")
    assert SECRET not in raw
    assert BUYER_NAME not in raw
    [line] = json_lines(caplog)
    assert line["request_id"] == "req-abc.123_X"
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert line["operation"] == "Greeting"
    assert line["shop"] == "shop-42"
    assert line["status"] == 200
    assert line["outcome"] == "ok"
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"


@pytest.mark.parametrize(
    "sent",
    ["", "x" * 129, "has space", "semi;colon", "ünïcode"],
)
async def test_unsafe_request_id_is_replaced(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, sent: str
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.get("/healthz", headers={b"X-Request-ID": sent.encode()})
    echoed = response.headers["x-request-id"]
    assert echoed != sent
    assert len(echoed) == 32
    assert json_lines(caplog)[0]["request_id"] == echoed


async def test_missing_request_id_is_generated(client: httpx.AsyncClient) -> None:
    first = (await client.get("/healthz")).headers["x-request-id"]
    second = (await client.get("/healthz")).headers["x-request-id"]
    assert first != second


def test_accept_request_id_keeps_128_safe_chars() -> None:
    assert accept_request_id("a" * 128) == "a" * 128
    assert accept_request_id(None) != accept_request_id(None)


async def test_graphql_outcomes_are_logged(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await client.post("/graphql", json={"query": "query Denied { refused }"})
    await client.post("/graphql", json={"query": "query NotYours { forbidden }"})
    await client.post("/graphql", json={"query": "query Broken { boom }"})
    await client.post("/graphql", json={"query": "{ hello(name:"})  # syntax error
    outcomes = [(line["operation"], line["outcome"]) for line in json_lines(caplog)]
    assert outcomes == [
        ("Denied", "user_error"),
        ("NotYours", "user_error"),
        ("Broken", "error"),
        (None, "user_error"),
    ]


@pytest.mark.parametrize(
    ("code", "unexpected"),
    [("INTERNAL_SERVER_ERROR", True), ("FORBIDDEN", False), ("BAD_USER_INPUT", False)],
)
def test_shaped_errors_are_classified_by_code(code: str, unexpected: bool) -> None:
    error = GraphQLError("x", extensions={"code": code})
    assert _is_unexpected(error) is unexpected


def test_formatter_masks_secrets_that_slip_into_messages() -> None:
    record = logging.LogRecord(
        "x",
        logging.WARNING,
        __file__,
        1,
        "auth Bearer %s to postgresql+asyncpg://app:hunter2@db/x",
        (SECRET,),
        None,
    )
    line = JsonFormatter().format(record)
    assert SECRET not in line
    assert "hunter2" not in line
    assert "pw1" not in line
    assert "tk2" not in line
    assert orjson.loads(line)["level"] == "WARNING"


def test_configure_logging_writes_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("WARNING")
        logging.getLogger("aftersales.test").warning("hello", extra={"fields": {"shop": "s1"}})
        logging.getLogger("aftersales.test").info("hidden")
        out = capsys.readouterr().out.strip().splitlines()
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    assert len(out) == 1
    assert orjson.loads(out[0])["shop"] == "s1"
