"""Every schema member is described, and the lists follow the Relay connection
conventions: graphql-schema-linter's description and Relay rules, as tests."""

from __future__ import annotations

from graphql import GraphQLSchema, build_schema

from service.graphql.lint import relay_violations, undocumented
from service.graphql.schema import build_schema as build_service_schema


def served_schema() -> GraphQLSchema:
    return build_service_schema()._schema


def test_every_member_of_the_schema_is_described() -> None:
    # given
    schema = served_schema()
    # when
    missing = undocumented(schema)
    # then
    assert missing == [], f"{len(missing)} members lack a description: {', '.join(missing)}"


def test_enum_values_and_arguments_say_what_they_mean() -> None:
    schema = served_schema()
    proxy = schema.get_type("SignerKind").values["PROXY"].description  # type: ignore[union-attr]
    assert "代签" in proxy and "neighbour" in proxy
    work_queue = schema.query_type.fields["workQueue"]  # type: ignore[union-attr]
    assert "hours" in (work_queue.args["dueWithinHours"].description or "")
    assert "UTC offset" in (schema.query_type.fields["recommend"].args["at"].description or "")  # type: ignore[union-attr]


UNDOCUMENTED_SDL = '''
"""Root."""
type Query {
  """Documented."""
  a(
    """Documented."""
    x: Int
    y: Int
  ): Color
  b(filter: Filter): Int
}

"""Colors."""
enum Color {
  """Documented."""
  RED
  GREEN
}

input Filter {
  """Documented."""
  min: Int
  max: Int
}

"""A scalar."""
scalar Money
'''


def test_undocumented_names_each_kind_of_member() -> None:
    # given a schema missing one description of each kind
    schema = build_schema(UNDOCUMENTED_SDL)
    # when
    missing = undocumented(schema)
    # then
    assert missing == [
        "Color.GREEN",
        "Filter",
        "Filter.max",
        "Query.a(y:)",
        "Query.b",
        "Query.b(filter:)",
    ]


def test_the_lists_follow_the_relay_connection_conventions() -> None:
    schema = served_schema()
    connections = [name for name in schema.type_map if name.endswith("Connection")]
    assert len(connections) >= 4, connections  # the check below has something to check
    assert relay_violations(schema) == []


BROKEN_RELAY_SDL = """
type Query {
  things(first: Int): ThingConnection!
  others(first: Int, after: String): OtherConnection
}
type Thing { id: ID! }
type ThingConnection { edges: [ThingEdge!]! }
type ThingEdge { node: Thing! }
type OtherConnection { edges: [Thing!]!, pageInfo: PageInfo! }
type PageInfo { hasNextPage: Boolean!, hasPreviousPage: Boolean, endCursor: String }
"""


def test_relay_violations_name_each_breach() -> None:
    # given a connection without pageInfo, an edge without cursor, a field without `after`,
    # edges that are not *Edge types, and an incomplete PageInfo
    schema = build_schema(BROKEN_RELAY_SDL)
    # when
    problems = relay_violations(schema)
    # then
    assert problems == [
        "OtherConnection.edges: items must be an object type named *Edge, got Thing",
        "PageInfo: needs `hasPreviousPage: Boolean!`",
        "PageInfo: needs `startCursor: String`",
        "Query.things: a connection field needs `first: Int` and `after: String`",
        "ThingConnection: needs `pageInfo: PageInfo!`",
        "ThingEdge: needs `cursor: String!`",
    ]
