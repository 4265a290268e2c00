"""The breaking-change guard: what the current schema may change since the last release."""

from __future__ import annotations

from graphql import build_schema

from service.graphql.compat import (
    RELEASES,
    current_problems,
    guard_problems,
    package_version,
    released_versions,
    version_key,
)
from service.graphql.sdl import render_sdl

UNRELEASED = {"Unreleased"}

V1 = build_schema("""
type Query {
  "The foo."
  foo: Int
  bar(limit: Int): String
  color: Color
}
enum Color { RED GREEN }
""")
V2_DEPRECATES_FOO = build_schema("""
type Query {
  "The foo."
  foo: Int @deprecated(reason: "Use bar.")
  bar(limit: Int): String
  color: Color
}
enum Color { RED GREEN }
""")
V3_WITHOUT_FOO = build_schema("""
type Query {
  bar(limit: Int): String
  color: Color
}
enum Color { RED GREEN }
""")


def changelog(unreleased: str, older: str = "") -> str:
    return (
        "# Changelog\n\n## [Unreleased]\n\n"
        + unreleased
        + "\n\n## [0.1.0] - 2026-11-30\n\n"
        + older
        + "\n"
    )


def test_the_current_schema_may_follow_the_last_release() -> None:
    assert current_problems(render_sdl()) == []


def test_the_package_version_is_released_or_being_cut() -> None:
    versions = released_versions()
    assert versions, f"no SDL in {RELEASES}"
    assert version_key(package_version()) >= version_key(versions[-1])


def test_removing_a_field_fails_the_guard() -> None:
    problems = guard_problems(V1, V3_WITHOUT_FOO, changelog(""), UNRELEASED)
    assert len(problems) == 1
    assert problems[0].startswith("Query.foo: removed without being deprecated")


def test_a_changelog_entry_does_not_excuse_removing_an_undeprecated_field() -> None:
    log = changelog("### Removed\n- `Query.foo`")
    problems = guard_problems(V1, V3_WITHOUT_FOO, log, UNRELEASED)
    assert [p.split(":")[0] for p in problems] == ["Query.foo"]


def test_deprecating_then_removing_with_a_changelog_entry_passes() -> None:
    # release 1 -> 2: deprecating is not a breaking change
    assert guard_problems(V1, V2_DEPRECATES_FOO, changelog(""), UNRELEASED) == []
    # release 2 -> 3: the removal needs its changelog line...
    missing = guard_problems(V2_DEPRECATES_FOO, V3_WITHOUT_FOO, changelog(""), UNRELEASED)
    assert len(missing) == 1 and missing[0].startswith("Query.foo: breaking change not in")
    # ...and passes with it
    log = changelog("### Removed\n- `Query.foo` (deprecated in 0.2.0; use `Query.bar`).")
    assert guard_problems(V2_DEPRECATES_FOO, V3_WITHOUT_FOO, log, UNRELEASED) == []


def test_an_entry_under_an_older_release_does_not_count() -> None:
    log = changelog("", older="### Removed\n- `Query.foo`")
    problems = guard_problems(V2_DEPRECATES_FOO, V3_WITHOUT_FOO, log, UNRELEASED)
    assert [p.split(":")[0] for p in problems] == ["Query.foo"]


def test_a_longer_name_does_not_stand_for_the_member() -> None:
    log = changelog("- `Query.fooBar` removed; `Query.foo.x` too")
    problems = guard_problems(V2_DEPRECATES_FOO, V3_WITHOUT_FOO, log, UNRELEASED)
    assert [p.split(":")[0] for p in problems] == ["Query.foo"]


def test_changing_a_type_is_breaking_and_needs_an_entry() -> None:
    changed = build_schema("""
    type Query { foo: String  bar(limit: Int): String  color: Color }
    enum Color { RED GREEN }
    """)
    problems = guard_problems(V1, changed, changelog(""), UNRELEASED)
    assert [p.split(":")[0] for p in problems] == ["Query.foo"]
    assert "breaking change" in problems[0]
    log = changelog("### Changed\n- `Query.foo` is now a String.")
    assert guard_problems(V1, changed, log, UNRELEASED) == []


def test_a_new_enum_value_is_dangerous_and_needs_an_entry() -> None:
    more = build_schema("""
    type Query { foo: Int  bar(limit: Int): String  color: Color }
    enum Color { RED GREEN BLUE }
    """)
    problems = guard_problems(V1, more, changelog(""), UNRELEASED)
    assert [p.split(":")[0] for p in problems] == ["Color.BLUE"]
    assert "dangerous change" in problems[0]
    assert guard_problems(V1, more, changelog("### Added\n- `Color.BLUE`."), UNRELEASED) == []


def test_adding_a_field_needs_no_entry() -> None:
    more = build_schema("""
    type Query { foo: Int  bar(limit: Int): String  color: Color  baz: Int }
    enum Color { RED GREEN }
    """)
    assert guard_problems(V1, more, changelog(""), UNRELEASED) == []
