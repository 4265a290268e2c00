"""Enum values looked up in tables, where Strawberry scans.

Strawberry's enum type finds a member's GraphQL name by comparing it with each value
of the enum in turn (2 µs for the last of ``Action``'s 15), and builds a member from a
name through graphql-core's lookup and a call of the enum class (0.5 µs). A dashboard
page of 50 refund requests writes about 400 enum values; ``recommend`` reads eight.

:func:`install` gives each of a schema's enum types two tables made once, member to
name and name to member, consulted first; anything not in them (a value of another
type, an unknown name) goes to Strawberry's own method, which answers or refuses it as
before. ``tests/graphql/test_enum_tables.py`` compares both on every member and name
and on values neither knows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLSchema
from strawberry.schema.schema_converter import CustomGraphQLEnumType


def install(schema: GraphQLSchema) -> int:
    """Give every Strawberry enum type of ``schema`` its tables; how many were given."""
    count = 0
    for type_ in schema.type_map.values():
        if isinstance(type_, CustomGraphQLEnumType):
            # Instance attributes: every caller (graphql-core, the short paths in
            # execution and prepared) looks the methods up on the type object.
            type_.coerce_output_value = _output(type_)  # type: ignore[method-assign,assignment]
            type_.coerce_input_value = _input(type_)  # type: ignore[method-assign]
            count += 1
    return count


def _output(type_: CustomGraphQLEnumType) -> Callable[[Any], Any]:
    cls: Any = type_.wrapped_cls
    names: dict[Any, str] = {}
    for member in cls:
        # The first name whose value matches, as Strawberry's scan finds it.
        for name, value in type_.values.items():
            if member.value == value.value:
                names[member] = name
                break
    scan = type_.coerce_output_value

    def coerce_output_value(output_value: Any) -> Any:
        if type(output_value) is cls:
            name = names.get(output_value)
            if name is not None:
                return name
        return scan(output_value)

    return coerce_output_value


def _input(type_: CustomGraphQLEnumType) -> Callable[..., Any]:
    wrapped: Any = type_.wrapped_cls
    members = {name: wrapped(value.value) for name, value in type_.values.items()}
    lookup = type_.coerce_input_value

    def coerce_input_value(input_value: Any, hide_suggestions: bool = False) -> Any:
        if type(input_value) is str:
            member = members.get(input_value)
            if member is not None:
                return member
        return lookup(input_value, hide_suggestions)

    return coerce_input_value
