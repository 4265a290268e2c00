"""The validation cache: a parsed document is validated once per schema and rule set."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import parse, specified_rules
from graphql.validation import NoUnusedFragmentsRule

from service.graphql import document_rules
from service.graphql.schema import build_schema

SCHEMA = build_schema()._schema
RULES = tuple(specified_rules)
VALID = "{ shop { name } }"
INVALID = "{ shop { noSuchField } }"


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    document_rules._validated.clear()
    calls: list[Any] = []
    real = document_rules._validate_document()

    def counting(schema: Any, document: Any, rules: Any) -> Any:
        calls.append(document)
        return real(schema, document, rules)

    monkeypatch.setattr(document_rules, "_validate_document", lambda: counting)
    yield calls
    document_rules._validated.clear()


def test_the_same_document_is_validated_once(validations: list[Any]) -> None:
    document = parse(INVALID)
    first = document_rules._validate(SCHEMA, document, RULES)
    again = document_rules._validate(SCHEMA, document, RULES)
    assert again is first
    assert [e.message for e in first] == ["Cannot query field 'noSuchField' on type 'Shop'."]
    assert len(validations) == 1


def test_other_rules_or_another_parse_are_validated_anew(validations: list[Any]) -> None:
    document = parse(VALID)
    assert document_rules._validate(SCHEMA, document, RULES) == []
    assert document_rules._validate(SCHEMA, document, (*RULES, NoUnusedFragmentsRule)) == []
    # an equal text parsed again is another object: validated on its own
    assert document_rules._validate(SCHEMA, parse(VALID), RULES) == []
    assert len(validations) == 3


def test_the_cache_is_bounded(validations: list[Any]) -> None:
    documents = [parse(VALID) for _ in range(document_rules.CACHE_SIZE + 1)]
    for document in documents:
        document_rules._validate(SCHEMA, document, RULES)
    assert len(document_rules._validated) == document_rules.CACHE_SIZE
    # the oldest was dropped: asking for it validates again
    document_rules._validate(SCHEMA, documents[0], RULES)
    assert len(validations) == document_rules.CACHE_SIZE + 2
