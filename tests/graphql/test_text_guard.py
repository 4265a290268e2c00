"""The quick check on variables never lets unstorable text through."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from service.graphql.text_guard import _surely_storable, unstorable_path, unstorable_variable

# Any code point, lone surrogates and NUL included, and the JSON escape spelled out.
TEXT = st.one_of(
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=6),
    st.sampled_from(["\\u0000", "\x00", "\ud800", "\udfff", "\ud83d\ude00", "漢字😀", ""]),
)
JSON: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)


@given(JSON)
def test_what_the_quick_check_passes_the_walk_passes_too(value: Any) -> None:
    if _surely_storable(value):
        assert unstorable_path(value, "v") is None


@given(JSON)
def test_the_verdict_is_the_walks(value: Any) -> None:
    error = unstorable_variable({"v": value})
    assert (error is None) == (unstorable_path(value, "v") is None)


def test_unstorable_text_anywhere_is_found() -> None:
    for bad in ("\x00", "a\ud800", {"k": ["ok", "z\udfff"]}, {"\x00": 1}):
        assert not _surely_storable(bad)
        assert unstorable_variable({"v": bad}) is not None
    assert _surely_storable({"place": "杭州转运中心", "n": [1, 2.5, None, True]})
