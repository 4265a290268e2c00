"""Schema checks that graphql-schema-linter would make, on graphql-core's schema.

``undocumented`` is its description rules (types, fields, arguments, input fields,
enum values); ``relay_violations`` its Relay rules (connection types, edges,
connection arguments, PageInfo). Each returns the offending members by name, so a
failing test says what to fix.
"""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
    is_introspection_type,
    is_specified_scalar_type,
)


def _own_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    """The schema's types without introspection (``__*``) and built-in scalars."""
    return [
        t
        for t in schema.type_map.values()
        if not is_introspection_type(t) and not is_specified_scalar_type(t)
    ]


def undocumented(schema: GraphQLSchema) -> list[str]:
    """Every type, field (``Type.field``), argument (``Type.field(arg:)``), input field
    and enum value (``Enum.VALUE``) whose description is missing or blank."""
    missing: list[str] = []

    def check(name: str, description: str | None) -> None:
        if not (description or "").strip():
            missing.append(name)

    for t in _own_types(schema):
        check(t.name, t.description)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in t.fields.items():
                check(f"{t.name}.{field_name}", field.description)
                for arg_name, arg in field.args.items():
                    check(f"{t.name}.{field_name}({arg_name}:)", arg.description)
        elif isinstance(t, GraphQLInputObjectType):
            for field_name, input_field in t.fields.items():
                check(f"{t.name}.{field_name}", input_field.description)
        elif isinstance(t, GraphQLEnumType):
            for value_name, value in t.values.items():
                check(f"{t.name}.{value_name}", value.description)
    return sorted(missing)


def _is(t: GraphQLOutputType | None, name: str, *, non_null: bool) -> bool:
    if t is None or isinstance(t, GraphQLNonNull) is not non_null:
        return False
    return get_named_type(t).name == name


def _list_of(t: GraphQLOutputType) -> GraphQLNamedType | None:
    """The item type of a (possibly non-null) list, else None."""
    inner = get_nullable_type(t)
    return get_named_type(inner) if isinstance(inner, GraphQLList) else None


def _connection_problems(t: GraphQLObjectType) -> list[str]:
    out: list[str] = []
    edges = t.fields.get("edges")
    edge = _list_of(edges.type) if edges is not None else None
    if edge is None:
        out.append(f"{t.name}: needs `edges`, a list of edges")
    elif not edge.name.endswith("Edge") or not isinstance(edge, GraphQLObjectType):
        out.append(f"{t.name}.edges: items must be an object type named *Edge, got {edge.name}")
    page_info = t.fields.get("pageInfo")
    if page_info is None or not _is(page_info.type, "PageInfo", non_null=True):
        out.append(f"{t.name}: needs `pageInfo: PageInfo!`")
    return out


def _edge_problems(t: GraphQLObjectType) -> list[str]:
    out: list[str] = []
    if "node" not in t.fields:
        out.append(f"{t.name}: needs `node`")
    elif isinstance(get_nullable_type(t.fields["node"].type), GraphQLList):
        out.append(f"{t.name}.node: must not be a list")
    cursor = t.fields.get("cursor")
    if cursor is None or not _is(cursor.type, "String", non_null=True):
        out.append(f"{t.name}: needs `cursor: String!`")
    return out


def _page_info_problems(t: GraphQLObjectType) -> list[str]:
    want = {
        "hasNextPage": ("Boolean", True),
        "hasPreviousPage": ("Boolean", True),
        "startCursor": ("String", False),
        "endCursor": ("String", False),
    }
    out: list[str] = []
    for name, (type_name, non_null) in want.items():
        field = t.fields.get(name)
        if field is None or not _is(field.type, type_name, non_null=non_null):
            out.append(f"PageInfo: needs `{name}: {type_name}{'!' if non_null else ''}`")
    return out


def _argument_problems(owner: str, name: str, field: GraphQLField) -> list[str]:
    """A connection field paginates forward (``first: Int``, ``after: String``) or
    backward (``last``, ``before``); this API pages forward only."""
    first, after = field.args.get("first"), field.args.get("after")
    if (
        first is not None
        and after is not None
        and get_named_type(first.type).name == "Int"
        and get_named_type(after.type).name == "String"
    ):
        return []
    return [f"{owner}.{name}: a connection field needs `first: Int` and `after: String`"]


def relay_violations(schema: GraphQLSchema) -> list[str]:
    """Breaches of the Relay cursor connection conventions, by member name."""
    out: list[str] = []
    for t in _own_types(schema):
        if not isinstance(t, GraphQLObjectType):
            if t.name.endswith(("Connection", "Edge")) or t.name == "PageInfo":
                out.append(f"{t.name}: must be an object type")
            continue
        if t.name.endswith("Connection"):
            out += _connection_problems(t)
        elif t.name.endswith("Edge"):
            out += _edge_problems(t)
        elif t.name == "PageInfo":
            out += _page_info_problems(t)
        for name, field in t.fields.items():
            if get_named_type(field.type).name.endswith("Connection"):
                out += _argument_problems(t.name, name, field)
    return sorted(out)
