"""Enums exposed with a description on every value.

The decision module's enums are plain StrEnums and know nothing of GraphQL, so the
value descriptions live on the GraphQL side, in a mapping given when the Strawberry
enum is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

E = TypeVar("E", bound=type[Enum])


def described_enum(cls: E, description: str, values: Mapping[str, str]) -> E:
    """Build the Strawberry enum of ``cls`` with ``values`` (member name → description).

    A key that names no member is a typo and fails here. A member left out simply has
    no description; ``tests/graphql/test_schema_docs.py`` names it.
    """
    unknown = sorted(set(values) - set(cls.__members__))
    if unknown:
        raise ValueError(f"{cls.__name__}: no such member(s) {', '.join(unknown)}")
    built = strawberry.enum(cls, description=description)
    definition: StrawberryEnumDefinition = built.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = values.get(value.name)
    return built
