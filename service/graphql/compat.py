"""The breaking-change guard: the current schema against the last released SDL.

Each release's SDL is kept as ``schema/releases/<version>.graphql``. A change that can
break a client (graphql-core's ``find_breaking_changes``) or change what it sees
(``find_dangerous_changes``: a new enum value, a changed default...) must be named in
``CHANGELOG.md`` under ``Unreleased`` (or under the section of a version not yet
released). A field, argument or enum value is removed only after a release in which it
was deprecated (``@deprecated(reason:)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    BreakingChangeType,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "schema" / "releases"
CHANGELOG = ROOT / "CHANGELOG.md"
PYPROJECT = ROOT / "pyproject.toml"

# A member as graphql-core names it in a change's description: Type.field,
# Type.field(arg:), Enum.VALUE; else the description's first word is the type.
_MEMBER = re.compile(r"[A-Za-z_]\w*\.[A-Za-z_]\w*(?:\([A-Za-z_]\w*:\))?")
_REMOVALS = {
    BreakingChangeType.FIELD_REMOVED.name,
    BreakingChangeType.ARG_REMOVED.name,
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM.name,
}
_SECTION = re.compile(r"^## \[?([^\]\s]+)\]?", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Change:
    member: str  # e.g. Query.orders, Query.orders(first:), Action.REISSUE, Order
    kind: str  # graphql-core's change type, e.g. FIELD_REMOVED
    description: str
    breaking: bool


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def released_versions(releases: Path = RELEASES) -> list[str]:
    """The versions that have a released SDL, oldest first."""
    return sorted((p.stem for p in releases.glob("*.graphql")), key=version_key)


def package_version(pyproject: Path = PYPROJECT) -> str:
    found = re.search(r'^version = "([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M)
    if found is None:
        raise ValueError(f"{pyproject}: no version")
    return found.group(1)


def _member(description: str) -> str:
    found = _MEMBER.search(description)
    return found.group(0) if found else description.split()[0].rstrip(".")


def schema_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    """Breaking and dangerous changes from ``old`` to ``new``, by member."""
    breaking = [
        Change(_member(c.description), c.type.name, c.description, True)
        for c in find_breaking_changes(old, new)
    ]
    dangerous = [
        Change(_member(c.description), c.type.name, c.description, False)
        for c in find_dangerous_changes(old, new)
    ]
    return breaking + dangerous


def _deprecated_in(schema: GraphQLSchema, member: str) -> bool:
    """Whether ``member`` (Type.field, Type.field(arg:), Enum.VALUE) carries a
    deprecation reason in ``schema``."""
    type_name, _, rest = member.partition(".")
    name, _, arg = rest.partition("(")
    t = schema.type_map.get(type_name)
    if isinstance(t, GraphQLEnumType):
        value = t.values.get(name)
        return value is not None and value.deprecation_reason is not None
    if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        field = t.fields.get(name)
        if field is None:
            return False
        if arg:
            argument = getattr(field, "args", {}).get(arg.rstrip(":)"))
            return argument is not None and argument.deprecation_reason is not None
        return field.deprecation_reason is not None
    return False


def changelog_sections(changelog: str, names: set[str]) -> str:
    """The text of the changelog sections whose heading (``## [x]``) is in ``names``."""
    heads = list(_SECTION.finditer(changelog))
    parts = []
    for i, head in enumerate(heads):
        if head.group(1) in names:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(changelog)
            parts.append(changelog[head.end() : end])
    return "\n".join(parts)


def _named(member: str, text: str) -> bool:
    """Whether ``text`` names ``member`` itself, not a longer name that starts with it."""
    return re.search(rf"(?<![\w.]){re.escape(member)}(?![\w(]|\.\w)", text) is not None


def guard_problems(
    released: GraphQLSchema, current: GraphQLSchema, changelog: str, sections: set[str]
) -> list[str]:
    """Why ``current`` may not ship after ``released``; empty when it may.

    A breaking or dangerous change must be named in one of the changelog ``sections``;
    a removed field, argument or enum value must be deprecated in ``released``.
    """
    notes = changelog_sections(changelog, sections)
    problems: list[str] = []
    for change in schema_changes(released, current):
        if change.kind in _REMOVALS and not _deprecated_in(released, change.member):
            problems.append(
                f"{change.member}: removed without being deprecated in the last release"
                f" ({change.description})"
            )
        elif not _named(change.member, notes):
            what = "breaking" if change.breaking else "dangerous"
            problems.append(
                f"{change.member}: {what} change not in CHANGELOG.md under"
                f" {' or '.join(sorted(sections))} ({change.description})"
            )
    return problems


def current_problems(current_sdl: str) -> list[str]:
    """The guard for this repository: the current SDL against the last release."""
    versions = released_versions()
    if not versions:
        return ["schema/releases/ holds no released SDL"]
    last = versions[-1]
    sections = {"Unreleased"}
    version = package_version()
    if version_key(version) > version_key(last):
        sections.add(version)  # a release being cut: its section is already named
    released = build_schema((RELEASES / f"{last}.graphql").read_text(encoding="utf-8"))
    changelog = CHANGELOG.read_text(encoding="utf-8") if CHANGELOG.exists() else ""
    return guard_problems(released, build_schema(current_sdl), changelog, sections)
