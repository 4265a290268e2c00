"""Values of the schema's input types as a client might send them, plausible and
broken: a hypothesis strategy per type (coercion and argument conversion tests)."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
)
from hypothesis import strategies as st

# Values a client might send for a scalar, valid for some scalars and not others.
SCALAR_SAMPLES = (
    "2026-12-01T10:00:00+08:00",
    "2026-12-01T10:00:00",
    "9999-12-31T23:59:59Z",
    "12.50",
    "12.505",
    "-1",
    "1e400",
    "PDD",
    "",
    "\ud800",
    0,
    7,
    2**40,
    1.5,
    True,
    None,
)

JUNK = st.one_of(
    st.none(),
    st.just(Undefined),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def input_values(type_: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """Plausible and broken values of ``type_``."""
    if isinstance(type_, GraphQLNonNull):
        return st.one_of(input_values(type_.of_type, depth), st.none())
    if depth > 4:
        return JUNK
    if isinstance(type_, GraphQLList):
        item = input_values(type_.of_type, depth + 1)
        return st.one_of(st.lists(item, max_size=3), item, st.none())
    if isinstance(type_, GraphQLInputObjectType):
        fields = {name: input_values(f.type, depth + 1) for name, f in type_.fields.items()}
        plausible = st.fixed_dictionaries({}, optional=fields)
        extra = st.builds(lambda d, k: {**d, k: 1}, plausible, st.sampled_from(["bogus", "id"]))
        return st.one_of(plausible, plausible, extra, JUNK)
    if isinstance(type_, GraphQLEnumType):
        return st.one_of(st.sampled_from(list(type_.values)), JUNK)
    assert isinstance(type_, GraphQLScalarType)
    return st.one_of(st.sampled_from(SCALAR_SAMPLES), JUNK)
