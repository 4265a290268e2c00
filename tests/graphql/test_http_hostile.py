"""Property: whatever body a client sends to /graphql, the answer is JSON, never a 5xx,
and every error in it carries ``extensions.code``."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import make_shop, make_token

JSON_MEDIA = ("application/json", "application/graphql-response+json")

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_documents = st.one_of(
    st.sampled_from(
        [
            "{ __typename }",
            "{ shop {",
            "{ noSuchField }",
            "query Q($id: ID!) { node(id: $id) { id } }",
            "mutation { __typename }",
            "query A { __typename } query B { __typename }",
            "",
        ]
    ),
    st.text(max_size=40),
)
# Near-miss requests: the right keys holding values of any JSON type.
_requests = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(_documents, _json),
        "operationName": st.one_of(st.sampled_from(["A", "Q", "B"]), _json),
        "variables": st.one_of(st.just({"id": None}), _json),
        "extensions": _json,
    },
).map(lambda d: json.dumps(d).encode())
_bodies = st.one_of(
    _requests,
    _json.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
    st.sampled_from(
        [
            b'{"query": "query Q($n: Int) { __typename }", "variables": {"n": '
            + b"9" * 5000
            + b"}}",
            b'{"query": "{ __typename }", "variables": {"x": NaN}}',
            b"[" * 100_000,
            b"\xef\xbb\xbf{}",
            b'{"query": "\\ud800"}',
        ]
    ),
)
_content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "multipart/form-data",
    ]
)
_accepts = st.sampled_from(
    [
        None,
        "*/*",
        "application/json",
        "application/graphql-response+json",
        "application/graphql-response+json, application/json;q=0.9",
        "text/html",
        "application/json;q=x",
    ]
)


@pytest.fixture
async def token(session: AsyncSession) -> str:
    return await make_token(session, await make_shop(session))


def assert_coded_json(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    content_type = response.headers["content-type"]
    assert content_type.startswith(JSON_MEDIA), content_type
    body: dict[str, Any] = response.json()
    assert set(body) <= {"data", "errors", "extensions"}, body
    if response.status_code >= 400:
        assert "data" not in body and body["errors"], body
    for error in body.get("errors", []):
        assert isinstance(error["extensions"]["code"], str), body


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=_bodies,
    content_type=_content_types,
    accept=_accepts,
    method=st.sampled_from(["POST", "GET"]),
)
async def test_hostile_requests_get_coded_json_never_a_5xx(
    client: httpx.AsyncClient,
    token: str,
    body: bytes,
    content_type: str | None,
    accept: str | None,
    method: str,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if accept is not None:
        headers["Accept"] = accept
    if method == "GET":
        # The same bytes as query-string parameters, where a GET carries them.
        text = body.decode("utf-8", "replace")[:2000]
        params = {"query": text, "variables": text, "operationName": text[:5]}
        response = await client.get("/graphql", params=params, headers=headers)
    else:
        response = await client.post("/graphql", content=body, headers=headers)
    assert_coded_json(response)
