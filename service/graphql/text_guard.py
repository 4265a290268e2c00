"""Text that no database can store is refused before any resolver runs.

A NUL character is refused by PostgreSQL ("invalid byte sequence 0x00") and a lone
surrogate cannot be encoded as UTF-8 at all (SQLite's driver raises). Either would
surface as an internal error from whichever query first met it, so every string in a
request is checked once, up front: literals in the document by a validation rule
(cached with the document), variables before execution (see document_rules).
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from graphql import GraphQLError, StringValueNode, ValidationRule

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REASON = "text must not contain NUL characters or unpaired UTF-16 surrogates"


def unstorable_path(value: object, path: str) -> str | None:
    """The path of the first string in ``value`` that cannot be stored, or None."""
    if isinstance(value, str):
        return path if _UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _UNSTORABLE.search(key):
                return path
            found = unstorable_path(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = unstorable_path(item, f"{path}[{i}]")
            if found:
                return found
    return None


class NoUnstorableLiterals(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if _UNSTORABLE.search(node.value):
            self.report_error(GraphQLError(f"String literal refused: {REASON}.", node))


def _surely_storable(value: object) -> bool:
    """True when no string in ``value`` can be unstorable, from one pass of orjson over
    the value, where walking a 500-row batch string by string took a few
    milliseconds. orjson refuses a lone surrogate (not UTF-8) and escapes a NUL; a
    refusal, or the escape found (a string may merely spell it), means "walk it"."""
    try:
        text = orjson.dumps(value)
    except orjson.JSONEncodeError:
        return False
    return b"\\u0000" not in text


def unstorable_variable(variables: dict[str, Any] | None) -> GraphQLError | None:
    """The request error for the first variable holding unstorable text, or None."""
    for name, value in (variables or {}).items():
        if _surely_storable(value):
            continue
        where = unstorable_path(value, name)
        if where is not None:
            return GraphQLError(
                f"Variable '${name}' got an invalid value at '{where}': {REASON}.",
                extensions={"code": "BAD_USER_INPUT"},
            )
    return None
