"""The calculated cost of queries, before they run and from what they returned."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema

from service.graphql.schema import MAX_TOKENS, build_schema
from service.limits.cost import actual_cost, operation_of, requested_cost


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def cost(schema: GraphQLSchema, query: str, **variables: Any) -> int:
    operation = operation_of(query, None, variables, MAX_TOKENS)
    assert operation is not None
    return requested_cost(schema, operation)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ __typename }", 0),
        ("{ shop { slug name } }", 1),
        # a connection: 2, plus first x each node (1), plus pageInfo (1)
        ("{ orders(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } }", 13),
        ("{ orders(first: 10) { nodes { id } } }", 12),
        ("{ orders { nodes { id } } }", 22),  # first defaults to 20
        # a decision costs 5: the rule engine runs per node
        ("{ orders(first: 10) { nodes { decision { action } } } }", 62),
        # an unpaginated list counts as 5 items
        ("{ orders(first: 2) { nodes { shipments { events { kind } } } } }", 2 + 2 * (1 + 5 * 6)),
        # nested connections multiply
        ("{ shop { slug } a: orders(first: 2) { nodes { id } } }", 1 + 4),
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', 3),
        # fragments cost what their fields cost
        ("{ orders(first: 3) { nodes { ...F } } } fragment F on Order { decision { action } }", 20),
    ],
)
def test_requested_cost(schema: GraphQLSchema, query: str, expected: int) -> None:
    assert cost(schema, query) == expected


def test_variables_size_the_page(schema: GraphQLSchema) -> None:
    query = "query Q($n: Int) { orders(first: $n) { nodes { id } } }"
    assert cost(schema, query, n=3) == 5
    assert cost(schema, query, n=50) == 52


def test_a_cost_is_kept_per_document_only_when_no_variable_sizes_it(
    schema: GraphQLSchema,
) -> None:
    fixed = "query Q($at: DateTime) { orders(first: 4) { nodes { decision(at: $at) { action } } } }"
    assert [cost(schema, fixed, at=at) for at in (None, "2026-11-20T00:00:00Z")] == [26, 26]
    by_ids = "query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost(schema, by_ids, ids=["a"]) == 1
    assert cost(schema, by_ids, ids=["a", "b", "c"]) == 3
    assert cost(schema, by_ids, ids=["a"]) == 1


def test_each_mutation_costs_ten_plus_its_payload(schema: GraphQLSchema) -> None:
    query = "mutation { recordAction(input: {}) { actionRecord { id } userErrors { code } } }"
    # 10, the payload 1, actionRecord 1, userErrors as an unpaginated list 5 x 1
    assert cost(schema, query) == 17


def test_actual_cost_counts_what_came_back(schema: GraphQLSchema) -> None:
    query = "{ orders(first: 50) { nodes { id decision { action } } pageInfo { hasNextPage } } }"
    operation = operation_of(query, None, None, MAX_TOKENS)
    assert operation is not None
    two = {
        "orders": {
            "nodes": [{"id": "1", "decision": {"action": "X"}}, {"id": "2", "decision": None}],
            "pageInfo": {"hasNextPage": False},
        }
    }
    assert requested_cost(schema, operation) == 2 + 50 * 6 + 1
    assert actual_cost(schema, operation, two) == 2 + (1 + 5) + 1 + 1
    assert actual_cost(schema, operation, None) == 0


@pytest.mark.parametrize("query", ["{ shop {", "query A { shop { slug } } query B { __typename }"])
def test_documents_that_cannot_be_costed_are_left_to_validation(query: str) -> None:
    assert operation_of(query, None, None, MAX_TOKENS) is None


@pytest.mark.parametrize(
    "query",
    [
        "{ ...A } fragment A on Query { ...A }",
        "{ ...A } fragment A on Query { shop { slug } ...B ...B } fragment B on Query { ...A }",
    ],
)
def test_fragments_spread_in_a_cycle_are_left_to_validation(query: str) -> None:
    assert operation_of(query, None, None, MAX_TOKENS) is None


def test_a_fragment_spread_in_many_places_is_costed_as_often_as_it_is_spread(
    schema: GraphQLSchema,
) -> None:
    # F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^12 places, one plan per fragment
    chain = " ".join(
        f"fragment F{i} on Order {{ a: shipments {{ order {{ ...F{i + 1} }} }}"
        f" b: shipments {{ order {{ ...F{i + 1} }} }} }}"
        for i in range(12)
    )
    query = f"{{ orders(first: 1) {{ nodes {{ ...F0 }} }} }} {chain} fragment F12 on Order {{ id }}"
    spread = 0  # F12 selects a scalar
    for _ in range(12):  # Fi: two lists of 5 shipments (1 each), each with an order (1)
        spread = 2 * 5 * (1 + 1 + spread)
    assert cost(schema, query) == 2 + 1 * (1 + spread)


def test_a_huge_page_is_costed_without_building_it(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ orders(first: 2000000000) { nodes { id } } }") == 2 + 2_000_000_000
