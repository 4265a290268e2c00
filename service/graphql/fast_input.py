"""Cheaper conversion of nested input objects (``CaseInput`` above all).

Strawberry converts an argument by walking its type annotations on every request:
for ``recommend``'s nested ``CaseInput`` that walk cost about a quarter of the
request. :func:`install` gives an input type (and the input types inside it) a
``from_input`` hook, Strawberry's own extension point for types that build their own
value, that follows a conversion plan worked out once per type. The values are
those Strawberry would build: scalars and enums as graphql-core coerced them, lists
copied, nested inputs built the same way, and fields without a default that the
client left out set to None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any, NewType

from strawberry.relay import GlobalID
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.scalar import ScalarDefinition, ScalarWrapper
from strawberry.utils.str_converters import to_camel_case

Convert = Callable[[Any], Any]


class Unsupported(TypeError):
    """A field type the plan does not handle; the type keeps Strawberry's conversion."""


def converter(type_: object) -> Convert | None:
    """How to convert one value of ``type_`` (not None) as Strawberry would; None when
    it is used as graphql-core coerced it. Raises :class:`Unsupported`."""
    if isinstance(type_, StrawberryMaybe):
        raise Unsupported("Maybe fields need Strawberry's own conversion")
    if isinstance(type_, StrawberryOptional):
        return converter(type_.of_type)  # the builder passes None through
    if isinstance(type_, StrawberryList):
        item = converter(type_.of_type)
        if item is None:
            return list  # a copy: graphql-core shares default values between requests
        return lambda v: [None if x is None else item(x) for x in v]
    if has_object_definition(type_):
        definition = type_.__strawberry_definition__
        if not definition.is_input:
            raise Unsupported(f"{type_!r} is not an input type")
        build = _builder(type_)
        return build
    if type_ is GlobalID:
        raise Unsupported("GlobalID arguments are decoded by Strawberry")
    # NewType: strawberry.ID, a str that graphql-core has already coerced.
    if isinstance(
        type_, type | NewType | StrawberryEnumDefinition | ScalarDefinition | ScalarWrapper
    ):
        return None  # a scalar or an enum: graphql-core has already coerced it
    raise Unsupported(f"no plan for {type_!r}")


def _builder(cls: Any) -> Convert:
    definition = cls.__strawberry_definition__
    nulls = {
        f.python_name: None
        for f in definition.fields
        if f.default is MISSING and f.default_factory is MISSING
    }
    plan: list[tuple[str, str, Convert | None]] = []
    for f in definition.fields:
        name = f.graphql_name or _camel(f.python_name)
        plan.append((name, f.python_name, converter(f.resolve_type(type_definition=definition))))

    def build(value: Mapping[str, Any]) -> Any:
        kwargs = dict(nulls)
        for name, python_name, convert in plan:
            if name in value:
                v = value[name]
                kwargs[python_name] = v if convert is None or v is None else convert(v)
        return cls(**kwargs)

    return build


def _camel(name: str) -> str:
    return to_camel_case(name)


def install(cls: type) -> None:
    """Give ``cls`` (an input type) and the input types it contains a planned
    ``from_input``. Raises :class:`Unsupported` for a field type it cannot plan."""
    build = _builder(cls)

    def from_input(_: type, value: Mapping[str, Any], __: object) -> Any:
        return build(value)

    cls.__strawberry_definition__.from_input = from_input  # type: ignore[attr-defined]
