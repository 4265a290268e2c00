"""Variable coercion by plans (service.graphql.coercion) gives what graphql-core's own
coercion gives, valid or not, for every input type of the schema."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    graphql_sync,
)
from graphql.execution import values
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.utilities.coerce_input_value import coerce_input_value as generic_coerce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.graphql import coercion
from service.graphql.schema import build_schema
from tests.graphql.input_values import input_values

schema = build_schema()


def _input_types() -> list[GraphQLInputType]:
    found: list[GraphQLInputType] = []
    for t in schema._schema.type_map.values():
        if isinstance(t, GraphQLInputObjectType) and not t.name.startswith("__"):
            found += [t, GraphQLNonNull(t), GraphQLList(GraphQLNonNull(t))]
    return found


def _same(a: Any, b: Any) -> bool:
    if a is Undefined or b is Undefined:
        return a is b
    return type(a) is type(b) and repr(a) == repr(b)


INPUT_TYPES = _input_types()


def test_the_schema_has_input_types_to_compare() -> None:
    names = {getattr(t, "name", "") for t in INPUT_TYPES}
    assert {"CaseInput", "OrderInput", "UpsertOrdersInput"} <= names


@pytest.mark.parametrize("type_", INPUT_TYPES, ids=str)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_planned_coercion_matches_graphql_core(
    type_: GraphQLInputType, data: st.DataObject
) -> None:
    value = data.draw(input_values(type_))
    planned = coercion.coerce_input_value(value, type_)
    generic = generic_coerce(value, type_)
    assert _same(planned, generic), (value, planned, generic)
    too_deep = coercion.input_is_nested_too_deeply(value, type_)
    assert too_deep == coercion._generic_too_deep(value, type_)


def test_a_valid_batch_is_coerced_as_graphql_core_coerces_it() -> None:
    order_input = schema._schema.type_map["OrderInput"]
    batch = [
        {
            "orderNumber": f"PO-{i}",
            "platform": "PDD",
            "amount": "19.90",
            "status": "SHIPPED",
            "confirmedAt": "2026-12-01T10:00:00+08:00",
        }
        for i in range(3)
    ]
    list_type = GraphQLNonNull(GraphQLList(GraphQLNonNull(order_input)))  # type: ignore[type-var]
    planned = coercion.coerce_input_value(batch, list_type)
    assert planned is not Undefined and len(planned) == 3
    assert _same(planned, generic_coerce(batch, list_type))
    # and one bad field makes the whole value invalid, as graphql-core has it
    batch[1]["amount"] = "cheap"
    assert coercion.coerce_input_value(batch, list_type) is Undefined


def _self_containing() -> GraphQLInputObjectType:
    node: GraphQLInputObjectType = GraphQLInputObjectType(
        "Node", lambda: {"value": GraphQLInputField(GraphQLInt), "next": GraphQLInputField(node)}
    )
    return node


def test_a_type_that_contains_itself_is_coerced_and_checked_by_the_value() -> None:
    node = _self_containing()
    shallow = {"value": 1, "next": {"value": 2, "next": None}}
    assert _same(coercion.coerce_input_value(shallow, node), generic_coerce(shallow, node))
    deep: dict[str, Any] = {"value": 0}
    for i in range(MAX_NESTING_DEPTH + 5):
        deep = {"value": i, "next": deep}
    assert coercion.input_is_nested_too_deeply(deep, node)
    assert not coercion.input_is_nested_too_deeply(shallow, node)


def test_a_type_nested_deeper_than_the_limit_is_checked_by_the_value() -> None:
    deep: GraphQLInputType = GraphQLString
    for _ in range(MAX_NESTING_DEPTH + 2):
        deep = GraphQLList(deep)
    value: Any = "x"
    for _ in range(MAX_NESTING_DEPTH + 2):
        value = [value]
    assert coercion.input_is_nested_too_deeply(value, deep)
    # a lone value counts as a list of one at every level, as graphql-core counts it
    for v in ("flat", [["two levels"]], value):
        assert coercion.input_is_nested_too_deeply(v, deep) == coercion._generic_too_deep(v, deep)


def _errors(s: GraphQLSchema, doc: str, variables: dict[str, Any]) -> list[str]:
    result = graphql_sync(s, doc, variable_values=variables)
    return sorted(e.message for e in result.errors or [])


def test_errors_are_still_graphql_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    # a schema of its own, with an input type that contains itself
    node = _self_containing()
    query = GraphQLObjectType(
        "Query",
        {
            "first": GraphQLField(
                GraphQLInt,
                args={"n": GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(node))))},
                resolve=lambda _root, _info, n: n[0]["value"],
            )
        },
    )
    s = GraphQLSchema(query)
    doc = "query Q($n: [Node!]!) { first(n: $n) }"
    ok = graphql_sync(s, doc, variable_values={"n": [{"value": 3}]})
    assert ok.errors is None and ok.data == {"first": 3}
    cases: list[dict[str, Any]] = [
        {"n": [{"value": 1}, {"value": "three", "bogus": 1}]},
        {"n": [None]},
        {"n": {"value": 1, "next": {"value": 2.5}}},
        {},
    ]
    planned = [_errors(s, doc, v) for v in cases]
    assert all(planned)
    # the same requests through graphql-core's own coercion
    monkeypatch.setattr(values, "coerce_input_value", coercion._generic_coerce)
    monkeypatch.setattr(values, "input_is_nested_too_deeply", coercion._generic_too_deep)
    assert planned == [_errors(s, doc, v) for v in cases]


def test_a_variable_type_built_per_request_reuses_one_plan() -> None:
    # graphql-core builds a variable's type (its wrappers) anew for every request
    order_input = schema._schema.type_map["OrderInput"]
    value = [{"orderNumber": "PO-1"}]

    def fresh() -> GraphQLInputType:
        return GraphQLNonNull(GraphQLList(GraphQLNonNull(order_input)))

    coercion.coerce_input_value(value, fresh())
    coercion.input_is_nested_too_deeply(value, fresh())
    plans, depths = len(coercion._plans), len(coercion._depths)
    for _ in range(20):
        coercion.coerce_input_value(value, fresh())
        coercion.input_is_nested_too_deeply(value, fresh())
    assert (len(coercion._plans), len(coercion._depths)) == (plans, depths)
