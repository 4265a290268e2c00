"""Remembered names are Strawberry's names."""

from __future__ import annotations

import pytest
from strawberry.schema.name_converter import NameConverter

from service.graphql.schema import RememberedNames


@pytest.mark.parametrize("camel", [True, False])
@pytest.mark.parametrize("name", ["case", "due_within_hours", "include_revoked", "at", "x_y_z"])
def test_each_name_converts_as_strawberry_converts_it(camel: bool, name: str) -> None:
    remembered = RememberedNames(camel)
    expected = NameConverter(camel).apply_naming_config(name)
    assert remembered.apply_naming_config(name) == expected
    assert remembered.apply_naming_config(name) == expected  # the second time, remembered


def test_switching_camel_case_off_is_not_answered_from_memory() -> None:
    names = RememberedNames(True)
    assert names.apply_naming_config("due_at") == "dueAt"
    names.auto_camel_case = False
    assert names.apply_naming_config("due_at") == "due_at"
