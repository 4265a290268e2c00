"""GraphQL over HTTP at /graphql: media types, status codes, and a JSON error with
``extensions.code`` for every request the endpoint refuses."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from service.graphql import http as http_module
from service.graphql.http import negotiate
from tests.conftest import make_shop, make_token

GQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
TYPENAME = "{ __typename }"
# Fails to parse, fails to validate, fails variable coercion: request errors.
PARSE_FAILURE = {"query": "{ shop {"}
VALIDATION_FAILURE = {"query": "{ noSuchField }"}
COERCION_FAILURE = {
    "query": "query Q($id: ID!) { node(id: $id) { id } }",
    "variables": {"id": None},
}


@pytest.fixture
async def token(session: AsyncSession) -> str:
    return await make_token(session, await make_shop(session))


async def post(
    client: httpx.AsyncClient,
    token: str,
    content: bytes | str,
    *,
    content_type: str | None = JSON,
    accept: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if accept is not None:
        headers["Accept"] = accept
    return await client.post("/graphql", content=content, headers=headers)


def refusal(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check a JSON refusal and return its one error."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(("application/json", GQL_RESPONSE))
    body = response.json()
    assert "data" not in body, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, body
    assert isinstance(error["message"], str) and error["message"]
    return dict(error)


# --- bodies that are not one GraphQL request ------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("5", "not a number"),
        ("null", "not null"),
        ('"{ __typename }"', "not a string"),
        ("true", "not a boolean"),
    ],
)
async def test_a_body_that_is_not_an_object_is_a_coded_400(
    client: httpx.AsyncClient, token: str, body: str, words: str
) -> None:
    error = refusal(await post(client, token, body), 400, "BAD_REQUEST")
    assert "JSON object" in error["message"] and words in error["message"]


async def test_a_batch_is_refused_saying_batching_is_not_supported(
    client: httpx.AsyncClient, token: str
) -> None:
    body = json.dumps([{"query": TYPENAME}, {"query": TYPENAME}])
    error = refusal(await post(client, token, body), 400, "BAD_REQUEST")
    assert "batch" in error["message"] and "not supported" in error["message"]


async def test_bytes_that_are_not_utf8_are_a_coded_400(
    client: httpx.AsyncClient, token: str
) -> None:
    error = refusal(await post(client, token, b'{"query": "{ \xff }"}'), 400, "BAD_REQUEST")
    assert "UTF-8" in error["message"]


@pytest.mark.parametrize("accept", [None, JSON, GQL_RESPONSE])
async def test_unparseable_json_is_a_400_under_every_media_type(
    client: httpx.AsyncClient, token: str, accept: str | None
) -> None:
    response = await post(client, token, '{ "not a JSON', accept=accept)
    error = refusal(response, 400, "BAD_REQUEST")
    assert "not valid JSON" in error["message"]
    assert response.headers["content-type"].startswith(accept or JSON)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
async def test_non_json_number_constants_are_refused(
    client: httpx.AsyncClient, token: str, text: str
) -> None:
    body = '{"query": "query Q($f: Float) { __typename }", "variables": {"f": ' + text + "}}"
    refusal(await post(client, token, body), 400, "BAD_REQUEST")


async def test_a_5000_digit_integer_variable_is_a_coded_400(
    client: httpx.AsyncClient, token: str
) -> None:
    body = '{"query": "query Q($n: Int) { __typename }", "variables": {"n": ' + "9" * 5000 + "}}"
    error = refusal(await post(client, token, body), 400, "BAD_REQUEST")
    assert "digits" in error["message"]


async def test_deeply_nested_json_is_a_coded_400(client: httpx.AsyncClient, token: str) -> None:
    body = '{"query": "{ __typename }", "variables": {"v": ' + "[" * 200_000 + "]" * 200_000 + "}}"
    refusal(await post(client, token, body), 400, "BAD_REQUEST")


async def test_an_empty_body_is_a_coded_400(client: httpx.AsyncClient, token: str) -> None:
    refusal(await post(client, token, b""), 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": TYPENAME, "operationName": 5}, "operationName"),
        ({"query": TYPENAME, "operationName": {"a": 1}}, "operationName"),
        ({"query": 5}, "query"),
        ({"query": ["{ __typename }"]}, "query"),
        ({"qeury": TYPENAME}, "query"),
        ({"query": TYPENAME, "variables": "x"}, "variables"),
        ({"query": TYPENAME, "variables": [1]}, "variables"),
        ({"query": TYPENAME, "extensions": 0}, "extensions"),
    ],
)
async def test_a_missing_or_ill_typed_parameter_is_a_400_naming_it(
    client: httpx.AsyncClient,
    token: str,
    body: dict[str, Any],
    field: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # when
    with caplog.at_level(logging.DEBUG):
        response = await post(client, token, json.dumps(body))
    # then
    error = refusal(response, 400, "BAD_REQUEST")
    assert error["extensions"]["field"] == field
    assert f"`{field}`" in error["message"]
    # and nothing downstream (metrics, the request log) tripped over the bad value
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_null_optional_parameters_are_allowed(client: httpx.AsyncClient, token: str) -> None:
    body = {"query": TYPENAME, "operationName": None, "variables": None, "extensions": None}
    response = await post(client, token, json.dumps(body))
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_mutation_over_get_is_a_405_allowing_post(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={"Authorization": f"Bearer {token}", "Accept": GQL_RESPONSE},
    )
    refusal(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


async def test_a_query_over_get_with_json_variables_works(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query T($name: String!) { __type(name: $name) { name } }",
            "variables": json.dumps({"name": "Order"}),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__type": {"name": "Order"}}


async def test_get_variables_that_are_not_json_are_a_400_naming_them(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": TYPENAME, "variables": "{nope"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refusal(response, 400, "BAD_REQUEST")["extensions"]["field"] == "variables"


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
async def test_an_unsupported_content_type_is_a_415(
    client: httpx.AsyncClient, token: str, content_type: str | None
) -> None:
    body = json.dumps({"query": TYPENAME})
    response = await post(client, token, body, content_type=content_type)
    refusal(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_json_with_a_utf8_charset_is_accepted(client: httpx.AsyncClient, token: str) -> None:
    body = json.dumps({"query": '{ __type(name: "Run🏃Swim🏊") { name } }'})
    response = await post(client, token, body, content_type="application/json; charset=UTF-8")
    assert response.status_code == 200
    assert response.json()["data"] == {"__type": None}


# --- media types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (JSON, JSON),
        (GQL_RESPONSE, GQL_RESPONSE),
        (f"{GQL_RESPONSE}, {JSON};q=0.9", GQL_RESPONSE),
        (f"{JSON};q=0.9, {GQL_RESPONSE}", GQL_RESPONSE),
        (f"{GQL_RESPONSE};q=0.1, {JSON}", JSON),
        (f"{GQL_RESPONSE}, */*", GQL_RESPONSE),
        (f"*/*, {GQL_RESPONSE}", GQL_RESPONSE),
        (f"{GQL_RESPONSE};q=0.5, */*;q=0.8", JSON),
        (f"{JSON}, {GQL_RESPONSE}", JSON),
        (f"{GQL_RESPONSE}, {JSON}", GQL_RESPONSE),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON", GQL_RESPONSE),
        (f"{JSON};q=0, */*", GQL_RESPONSE),
        ("text/html, application/xhtml+xml, */*;q=0.8", JSON),
        ("text/html", None),
        (f"{JSON};q=0", None),
        (f"{GQL_RESPONSE};q=0, {JSON};q=0", None),
        (f"{JSON};q=abc", None),
        ("garbage", None),
    ],
)
def test_accept_negotiation_weighs_q_values_and_specificity(
    accept: str | None, expected: str | None
) -> None:
    assert negotiate(accept) == expected


@pytest.mark.parametrize("accept", [GQL_RESPONSE, f"{GQL_RESPONSE}, {JSON};q=0.9"])
async def test_graphql_response_json_is_served_when_preferred(
    client: httpx.AsyncClient, token: str, accept: str
) -> None:
    response = await post(client, token, json.dumps({"query": TYPENAME}), accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GQL_RESPONSE}; charset=utf-8"
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("accept", [None, "*/*", JSON, f"{GQL_RESPONSE};q=0.5, {JSON}"])
async def test_application_json_is_served_otherwise(
    client: httpx.AsyncClient, token: str, accept: str | None
) -> None:
    response = await post(client, token, json.dumps({"query": TYPENAME}), accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{JSON}; charset=utf-8"


async def test_nothing_servable_in_accept_is_a_406(client: httpx.AsyncClient, token: str) -> None:
    response = await post(client, token, json.dumps({"query": TYPENAME}), accept="text/html")
    refusal(response, 406, "NOT_ACCEPTABLE")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (PARSE_FAILURE, "GRAPHQL_PARSE_FAILED"),
        (VALIDATION_FAILURE, "GRAPHQL_VALIDATION_FAILED"),
        (COERCION_FAILURE, "BAD_USER_INPUT"),
    ],
)
async def test_request_errors_are_400_without_data_under_graphql_response_json(
    client: httpx.AsyncClient, token: str, body: dict[str, Any], code: str
) -> None:
    response = await post(client, token, json.dumps(body), accept=GQL_RESPONSE)
    assert response.headers["content-type"].startswith(GQL_RESPONSE)
    assert refusal(response, 400, code)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (PARSE_FAILURE, "GRAPHQL_PARSE_FAILED"),
        (VALIDATION_FAILURE, "GRAPHQL_VALIDATION_FAILED"),
        (COERCION_FAILURE, "BAD_USER_INPUT"),
    ],
)
async def test_request_errors_stay_200_with_null_data_under_application_json(
    client: httpx.AsyncClient, token: str, body: dict[str, Any], code: str
) -> None:
    for accept in (None, JSON):
        response = await post(client, token, json.dumps(body), accept=accept)
        assert response.status_code == 200
        payload = response.json()
        assert payload["data"] is None
        assert payload["errors"][0]["extensions"]["code"] == code


async def test_a_resolver_error_that_nulls_data_is_200_under_graphql_response_json(
    client: httpx.AsyncClient, token: str
) -> None:
    # given a query that passes validation but whose root field refuses its argument
    body = {"query": "{ orders(first: 101) { nodes { id } } }"}
    # when
    response = await post(client, token, json.dumps(body), accept=GQL_RESPONSE)
    # then the operation ran: data is present (null), the status is 200
    assert response.status_code == 200
    payload = response.json()
    assert "data" in payload and payload["data"] is None
    assert payload["errors"][0]["path"] == ["orders"]


# --- outside /graphql --------------------------------------------------------------------


async def test_unknown_paths_and_methods_are_json_refusals(client: httpx.AsyncClient) -> None:
    refusal(await client.get("/nowhere"), 404, "NOT_FOUND")
    response = await client.put("/graphql", json={"query": TYPENAME})
    refusal(response, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in response.headers["allow"]


async def test_an_unexpected_error_in_the_app_is_a_json_500_with_the_request_id(
    app: Starlette, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # given a route with a bug, in the real app with its middleware
    async def crash(request: Request) -> Response:
        raise RuntimeError("a bug")

    app.add_route("/crash", crash)
    # when
    response = await client.get("/crash")
    # then
    error = refusal(response, 500, "INTERNAL_SERVER_ERROR")
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert any(r.exc_info and r.name == "aftersales.error" for r in caplog.records)


async def test_no_token_is_a_json_401_before_the_body_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b"\xff", headers={"Content-Type": JSON})
    refusal(response, 401, "UNAUTHENTICATED")


async def test_a_request_body_is_decoded_once(
    client: httpx.AsyncClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cost gate reads the operation before the GraphQL view does; both share one
    # decoding of the body.
    decoded: list[object] = []
    original = http_module.decode_json

    def counting(raw: bytes | str, *, field: str | None = None) -> Any:
        decoded.append(raw)
        return original(raw, field=field)

    monkeypatch.setattr(http_module, "decode_json", counting)
    response = await client.post(
        "/graphql",
        json={
            "query": "query($n: Int) { orders(first: $n) { totalCount } }",
            "variables": {"n": 1},
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    assert len(decoded) == 1
