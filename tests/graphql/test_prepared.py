"""Prepared operations answer byte for byte what the general path answers, and hand
back to it everything they do not prepare."""

from __future__ import annotations

import enum
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette
from strawberry.extensions import FieldExtension, SchemaExtension

from service.app import create_app
from service.config import Settings
from service.db.models import Role
from service.graphql.direct_resolvers import direct
from service.graphql.prepared import PreparedOperations
from service.graphql.schema import build_schema
from service.graphql.view import GraphQLView
from service.observability.logging import JsonFormatter
from tests.conftest import make_shop, make_token
from tests.factories import NOW
from tests.graphql.test_recommend_snapshot import CASES, FULL

AT = "2026-11-26T12:00:00+08:00"
SIGNED_QUALITY = CASES["signed, quality, no photo"]["case"]


def _view(app: Starlette) -> GraphQLView:
    for route in app.routes:
        endpoint = getattr(route, "endpoint", None)
        if getattr(route, "path", None) == "/graphql" and isinstance(endpoint, GraphQLView):
            return endpoint
    raise AssertionError("no /graphql view")


class Pair:
    """The same app twice over one database: prepared operations on, and off."""

    def __init__(self, on: Starlette, off: Starlette, token: str) -> None:
        self.clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
            for app in (on, off)
        ]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.prepared: list[bool] = []
        self.last: dict[str, Any] = {}
        lane = _view(on).prepared
        original = lane.run

        async def counted(*args: Any, **kwargs: Any) -> Any:
            answer = await original(*args, **kwargs)
            self.prepared.append(answer is not None)
            return answer

        lane.run = counted  # type: ignore[method-assign]
        _view(off).prepared.enabled = False

    async def both(self, **request: Any) -> tuple[httpx.Response, httpx.Response]:
        headers = {**self.headers, **request.pop("headers", {})}
        method = request.pop("method", "POST")
        on, off = [
            await client.request(method, "/graphql", headers=headers, **request)
            for client in self.clients
        ]
        return on, off

    async def same(self, **request: Any) -> bool:
        """Assert both answers are equal; return whether the prepared one was used."""
        before = len(self.prepared)
        on, off = await self.both(**request)
        assert on.status_code == off.status_code
        assert _headers(on) == _headers(off)
        assert _steady(on.content) == _steady(off.content), on.text
        self.last = on.json()
        return len(self.prepared) > before and self.prepared[-1]

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


def _headers(response: httpx.Response) -> list[tuple[str, str]]:
    return [(k, v) for k, v in response.headers.items() if k not in ("x-request-id",)]


def _steady(body: bytes) -> bytes:
    # The two apps' buckets drain alike, but a point may come back between two requests.
    return re.sub(rb'"currentlyAvailable":\d+', b'"currentlyAvailable":0', body)


@pytest.fixture
async def pair(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> AsyncIterator[Pair]:
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    # A bucket the tests cannot empty: a refusal would answer both alike, proving nothing.
    roomy = settings.model_copy(
        update={"rate_limit_points": 10_000_000, "rate_limit_restore_per_s": 10_000_000}
    )
    on = create_app(roomy, engine=engine, clock=lambda: NOW)
    off = create_app(roomy, engine=engine, clock=lambda: NOW)
    pair = Pair(on, off, token)
    yield pair
    await pair.close()


def _recommend(query: str, variables: dict[str, Any] | None = None, **more: Any) -> Any:
    return {"json": {"query": query, "variables": variables, **more}}


async def test_every_snapshot_case_answers_alike_through_the_prepared_operation(
    pair: Pair,
) -> None:
    # given each case of the recommend snapshot, every field selected, in both locales
    for locale in ("ZH_CN", "EN"):
        for variables in CASES.values():
            # when asked with prepared operations on and off, then the answers are equal
            used = await pair.same(**_recommend(FULL, {"at": AT, "locale": locale, **variables}))
            # and the prepared operation answered (user errors are answers too)
            assert used


LITERAL = """{ recommend(case: {order: {orderNumber: "PO-9", platform: KUAISHOU, amount: "5.50",
  status: SIGNED, confirmedAt: "2026-11-23T08:00:00+08:00"}}, at: "2026-11-26T12:00:00Z") {
  __typename d: decision { __typename action why: rationale script(locale: EN) } } }"""

PREPARED = [
    # arguments inline, aliases, __typename at every level, a field's argument
    _recommend(LITERAL),
    _recommend(
        "query R($c: CaseInput!, $l: Locale) { recommend(case: $c) { decision {"
        " script(locale: $l) deadlines { __typename at } } } }",
        {"c": SIGNED_QUALITY, "l": "EN"},
    ),
    # a nullable variable left out, and one given as null
    _recommend(
        "query R($c: CaseInput!, $at: DateTime) { recommend(case: $c, at: $at) {"
        " decision { action evaluatedAt } } }",
        {"c": SIGNED_QUALITY},
    ),
    _recommend(
        "query R($c: CaseInput!, $at: DateTime) { recommend(case: $c, at: $at) {"
        " decision { action evaluatedAt } } }",
        {"c": SIGNED_QUALITY, "at": None},
    ),
    # a default value on a variable: graphql-core's own coercion
    _recommend(
        "query R($c: CaseInput!, $l: Locale = EN) { recommend(case: $c, locale: $l) {"
        " decision { script } } }",
        {"c": SIGNED_QUALITY},
    ),
    # two operations, one named
    _recommend(
        "query A { __typename } query B($c: CaseInput!) { recommend(case: $c) {"
        " decision { ruleId } } }",
        {"c": SIGNED_QUALITY},
        operationName="B",
    ),
    # an answer in the other media type
    {
        **_recommend(
            "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
            {"c": SIGNED_QUALITY},
        ),
        "headers": {"Accept": "application/graphql-response+json"},
    },
    # over GET
    {
        "method": "GET",
        "params": {
            "query": "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
            "variables": json.dumps({"c": SIGNED_QUALITY}),
        },
    },
]

HANDED_BACK = [
    # fragments, directives, a root field that reads the database, introspection
    _recommend(
        "query R($c: CaseInput!) { recommend(case: $c) { ...F } }"
        " fragment F on Recommendation { decision { ruleId } }",
        {"c": SIGNED_QUALITY},
    ),
    _recommend(
        "query R($c: CaseInput!, $s: Boolean!) { recommend(case: $c) {"
        " decision @include(if: $s) { ruleId } } }",
        {"c": SIGNED_QUALITY, "s": True},
    ),
    _recommend(
        "query R($c: CaseInput!) { shop { slug } recommend(case: $c) { decision { ruleId } } }",
        {"c": SIGNED_QUALITY},
    ),
    _recommend("{ __schema { queryType { name } } }"),
    # a response key twice (merged by the general path)
    _recommend(
        "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId ruleId } } }",
        {"c": SIGNED_QUALITY},
    ),
    # request errors of every kind: syntax, validation, variables, operation name
    _recommend("{ recommend(case: "),
    _recommend("{ recommend { decision { ruleId } } }"),
    _recommend(
        "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
        {"c": {**SIGNED_QUALITY, "order": {**SIGNED_QUALITY["order"], "platform": "EBAY"}}},
    ),
    _recommend("query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }", {}),
    {
        # a lone surrogate, escaped in the JSON body
        "content": json.dumps(
            {
                "query": "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
                "variables": {
                    "c": {
                        **SIGNED_QUALITY,
                        "order": {**SIGNED_QUALITY["order"], "orderNumber": "P\ud800"},
                    }
                },
            }
        ),
        "headers": {"Content-Type": "application/json"},
    },
    _recommend(
        "query A { __typename } query B($c: CaseInput!) { recommend(case: $c) {"
        " decision { ruleId } } }",
        {"c": SIGNED_QUALITY},
    ),
    _recommend(
        "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
        {"c": SIGNED_QUALITY},
        operationName="Nope",
    ),
    # request-level refusals: the general path words them
    {
        **_recommend(
            "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
            {"c": SIGNED_QUALITY},
        ),
        "headers": {"Accept": "text/plain"},
    },
    _recommend(
        "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
        {"c": SIGNED_QUALITY},
        extensions={"persistedQuery": {"version": 1, "sha256Hash": "00"}},
    ),
]


async def test_a_prepared_answer_is_kept_and_replayed_under_its_idempotency_key(
    pair: Pair,
) -> None:
    # given a recommend request sent twice under one key, to each app with its own key
    body = _recommend(
        "query R($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
        {"c": SIGNED_QUALITY},
    )["json"]
    answers = []
    for client, key in zip(pair.clients, ("key-on", "key-off"), strict=True):
        headers = {**pair.headers, "Idempotency-Key": key}
        first = await client.post("/graphql", json=body, headers=headers)
        again = await client.post("/graphql", json=body, headers=headers)
        answers.append((first, again))
    # then the prepared operation answered the first, and both apps answered alike:
    # the first call run, the second replayed
    assert pair.prepared == [True]
    (on_first, on_again), (off_first, off_again) = answers
    for on, off in ((on_first, off_first), (on_again, off_again)):
        assert on.status_code == off.status_code == 200
        assert _headers(on) == _headers(off)
        assert _steady(on.content) == _steady(off.content)
    assert on_again.content == on_first.content


async def test_a_prepared_answer_is_logged_like_any_other(
    pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    # given the request log captured
    caplog.set_level(logging.INFO, logger="aftersales.request")
    # when a prepared operation answers, and the general path answers the same request
    assert await pair.same(
        **_recommend(
            "query Named($c: CaseInput!) { recommend(case: $c) { decision { ruleId } } }",
            {"c": SIGNED_QUALITY},
        )
    )
    # then both request lines name the operation and its outcome alike
    lines = [
        orjson.loads(JsonFormatter().format(record))
        for record in caplog.records
        if record.name == "aftersales.request"
    ]
    assert [(line["operation"], line["outcome"]) for line in lines] == [("Named", "ok")] * 2


@pytest.mark.parametrize("request_", PREPARED, ids=range(len(PREPARED)))
async def test_a_plain_recommend_document_is_prepared_and_answers_alike(
    pair: Pair, request_: dict[str, Any]
) -> None:
    # when the document is sent with prepared operations on and off
    used = await pair.same(**request_)
    # then the answers are equal (see Pair.same) and the prepared operation answered
    assert used


@pytest.mark.parametrize("request_", HANDED_BACK, ids=range(len(HANDED_BACK)))
async def test_anything_else_goes_to_the_general_path_unchanged(
    pair: Pair, request_: dict[str, Any]
) -> None:
    # when the request is sent with prepared operations on and off
    used = await pair.same(**request_)
    # then the general path answered both
    assert not used


DECISION_FIELDS = [
    "action",
    "ruleId",
    "ruleSummary",
    "rationale",
    "facts { name value }",
    "steps",
    "evidence { kind name needed present }",
    "deadlines { kind at note }",
    "nextDeadline",
    "moneyAtRisk { kind amount }",
    "alternatives { action ruleId condition }",
    "trace { ruleId matched reason }",
    "signals { kind dueAt message }",
    "scripts { zhCN en }",
    "script",
    "script(locale: EN)",
    "policyId",
    "policyVersion",
    "evaluatedAt",
    "proactive",
    "overdue",
    "__typename",
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.lists(st.sampled_from(DECISION_FIELDS), min_size=1, max_size=8, unique=True),
    case=st.sampled_from(sorted(CASES)),
    locale=st.sampled_from(["ZH_CN", "EN"]),
    at=st.sampled_from([None, AT, "2026-11-23T07:00:00Z", "2027-01-30T00:00:00+08:00"]),
)
async def test_any_selection_of_the_decision_answers_alike(
    pair: Pair, fields: list[str], case: str, locale: str, at: str | None
) -> None:
    # given a selection of the decision's fields, each under its own alias
    selection = " ".join(f"f{i}: {field}" for i, field in enumerate(fields))
    query = (
        "query R($c: CaseInput!, $at: DateTime, $l: Locale!) { recommend(case: $c, at: $at,"
        f" locale: $l) {{ decision {{ {selection} }} userErrors {{ field code message }} }} }}"
    )
    # when it is asked with prepared operations on and off, then the answers are equal
    used = await pair.same(**_recommend(query, {**CASES[case], "at": at, "l": locale}))
    # and the prepared operation answered, unless the answer is an error
    assert used or "errors" in pair.last


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            "PDD",
            "EBAY",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59+14:00",
            "2026-11-25T12:00:00",
            "-1.00",
            "1e400",
            "100.005",
            "\u0000",
            "x" * 300,
        ]
    ),
    st.lists(st.sampled_from(["DAMAGE_PHOTO", "nope", ""]), max_size=3),
    st.dictionaries(st.sampled_from(["kind", "at", "x"]), st.just("PICKUP"), max_size=2),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _put(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _put(copy[path[0]], path[1:], new)
    return copy


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=st.sampled_from(sorted(CASES)), data=st.data())
async def test_odd_variable_values_answer_alike(pair: Pair, case: str, data: Any) -> None:
    # given a case with one of its values replaced by an odd one
    variables = CASES[case]["case"]
    path = data.draw(st.sampled_from(_paths(variables)))
    odd = _put(variables, path, data.draw(ODD_VALUES))
    query = (
        "query R($c: CaseInput!) { recommend(case: $c) { decision { action ruleId"
        " rationale steps deadlines { kind at note } moneyAtRisk { kind amount } script }"
        " userErrors { field code message } } }"
    )
    # when it is asked with prepared operations on and off, then the answers are equal
    await pair.same(**_recommend(query, {"c": odd}))


# A schema of its own, for values the service's resolvers never return.


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Item:
    name: str
    colour: Colour
    tags: list[str]
    note: str | None = None


@strawberry.type
class Query:
    @strawberry.field
    def item(self, which: int) -> Item:
        item: Item = ITEMS[which]
        return item


ITEMS: list[Any] = [
    Item(name="a", colour=Colour.RED, tags=["x"]),
    Item(name=None, colour=Colour.RED, tags=[]),  # type: ignore[arg-type]
    Item(name="c", colour="green", tags=[]),  # type: ignore[arg-type]
    Item(name="d", colour=Colour.RED, tags=["ok", None]),  # type: ignore[list-item]
    Item(name="e", colour=Colour.RED, tags="xy"),  # type: ignore[arg-type]
    Item(name=ValueError("boom"), colour=Colour.RED, tags=[]),  # type: ignore[arg-type]
]


async def test_a_value_the_type_forbids_is_handed_back() -> None:
    # given a schema with a pure root field and a document that reads every field
    schema = strawberry.Schema(
        query=Query, extensions=[lambda: _rules(), *build_schema().extensions[1:]]
    )
    lane = PreparedOperations(schema, root_fields=frozenset({"item"}))
    query = "query I($w: Int!) { item(which: $w) { name colour tags note } }"
    # when each item is asked for
    answers = [await lane.run(query, None, {"w": i}, None) for i in range(len(ITEMS))]
    # then the well-formed one is answered as graphql-core answers it
    assert answers[0] is not None
    expected = await schema.execute(query, {"w": 0})
    assert answers[0].data == expected.data
    # and every one that graphql-core would turn into an error is handed back
    assert answers[1:] == [None] * (len(ITEMS) - 1)
    for i in range(1, len(ITEMS)):
        assert (await schema.execute(query, {"w": i})).errors


def _rules() -> Any:
    return build_schema().extensions[0]()


def test_unknown_schema_extensions_turn_prepared_operations_off() -> None:
    # given the service's schema with one more extension (tracing adds some)
    class Other(SchemaExtension):
        pass

    # when prepared operations are made for it, then none are: its hooks must run
    assert not PreparedOperations(build_schema(extra_extensions=(Other,))).enabled
    assert PreparedOperations(build_schema()).enabled


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs).upper()


@strawberry.type
class Shouting:
    @strawberry.field(extensions=[Upper()])
    def word(self, text: str) -> str:
        return text


async def test_a_root_field_with_field_extensions_keeps_strawberrys_resolver() -> None:
    # given recommend (no field extensions, arguments with conversion plans) and a
    # field whose extension must see its call
    schema = strawberry.Schema(query=Shouting, extensions=build_schema().extensions)
    service = build_schema()
    assert service._schema.query_type is not None and schema._schema.query_type is not None
    # when their fields are looked at for a direct call
    recommend = direct(service, service._schema.query_type.fields["recommend"])
    word = direct(schema, schema._schema.query_type.fields["word"])
    # then recommend is called directly and the extended field through Strawberry
    assert recommend is not None
    assert word is None
    # and the extension still runs on the prepared operation
    shouting = PreparedOperations(schema, root_fields=frozenset({"word"}))
    answer = await shouting.run('{ word(text: "hi") }', None, None, None)
    assert answer is not None and answer.data == {"word": "HI"}
