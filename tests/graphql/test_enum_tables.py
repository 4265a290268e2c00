"""Enum values found in tables (service.graphql.enum_tables) are the ones Strawberry's
own methods give, and what those refuse is still refused in their words."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from service.graphql.schema import build_schema

schema = build_schema()._schema
ENUMS = sorted(
    (t for t in schema.type_map.values() if isinstance(t, CustomGraphQLEnumType)),
    key=lambda t: t.name,
)


def _answer(method: Any, *args: Any) -> tuple[str, Any]:
    try:
        return ("value", method(*args))
    except Exception as exc:  # the refusal itself is compared
        return (type(exc).__name__, str(exc))


def test_the_schema_has_enums_with_tables() -> None:
    names = {t.name for t in ENUMS}
    assert {"Action", "RefundReason", "TrackingEventKind"} <= names
    assert all("coerce_output_value" in vars(t) for t in ENUMS)


@pytest.mark.parametrize("type_", ENUMS, ids=lambda t: t.name)
def test_output_is_strawberrys(type_: CustomGraphQLEnumType) -> None:
    members: list[Any] = list(type_.wrapped_cls)
    others = [m.value for m in members] + [m.name for m in members] + ["", 0, None, object()]
    for value in members + others:
        expected = _answer(CustomGraphQLEnumType.coerce_output_value, type_, value)
        assert _answer(type_.coerce_output_value, value) == expected, value


@pytest.mark.parametrize("type_", ENUMS, ids=lambda t: t.name)
def test_input_is_strawberrys(type_: CustomGraphQLEnumType) -> None:
    names = list(type_.values)
    others = [n.lower() for n in names] + [n + " " for n in names] + ["", "NOPE", 1, None]
    for value in names + others:
        for hide in (False, True):
            expected = _answer(CustomGraphQLEnumType.coerce_input_value, type_, value, hide)
            answer = _answer(type_.coerce_input_value, value, hide)
            assert answer == expected, value
            if expected[0] == "value":
                assert answer[1] is expected[1]
