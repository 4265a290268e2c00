"""The short path for plain data fields answers exactly what the generic path does."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from service.graphql.execution import PlainFieldExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    size: int
    colour: Colour
    note: str | None
    tags: list[str]
    maybe_tags: list[str | None] | None

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


GOOD = Item(name="a", size=3, colour=Colour.BLUE, note=None, tags=["x", "y"], maybe_tags=[None])
# Values the types forbid: the generic path turns each into a located error.
BAD: list[Any] = [
    Item(name=None, size=1, colour=Colour.RED, note="n", tags=[], maybe_tags=None),  # type: ignore[arg-type]
    Item(name="b", size="big", colour=Colour.RED, note=None, tags=[], maybe_tags=None),  # type: ignore[arg-type]
    Item(name="c", size=2, colour="green", note=None, tags=[], maybe_tags=None),  # type: ignore[arg-type]
    Item(name="d", size=2, colour=Colour.RED, note=None, tags="xy", maybe_tags=None),  # type: ignore[arg-type]
    Item(name="e", size=2, colour=Colour.RED, note=None, tags=["ok", None], maybe_tags=None),  # type: ignore[list-item]
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return [GOOD, *BAD]


QUERY = "{ items { name size colour note tags maybeTags shout(times: 2) } }"


class CountingContext(PlainFieldExecutionContext):
    infos = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
        CountingContext.infos += 1
        return super().build_resolve_info(*args, **kwargs)


def run(context: type[StrawberryGraphQLCoreExecutionContext], **schema_args: Any) -> Any:
    schema = strawberry.Schema(query=Query, execution_context_class=context, **schema_args)
    result = schema.execute_sync(QUERY)
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return result.data, errors


def test_same_data_and_errors_as_the_generic_path() -> None:
    plain = run(PlainFieldExecutionContext)
    generic = run(StrawberryGraphQLCoreExecutionContext)

    assert plain == generic
    data, errors = plain
    assert data["items"][0] == {
        "name": "a",
        "size": 3,
        "colour": "BLUE",
        "note": None,
        "tags": ["x", "y"],
        "maybeTags": [None],
        "shout": "AA",
    }
    assert len(errors) == len(BAD)  # each bad item nulled with its own error


def test_plain_fields_skip_the_resolve_info() -> None:
    CountingContext.infos = 0
    run(CountingContext)
    # items; the good item's shout (a resolver with an argument); per bad item, the
    # field that fell back to the generic path to report its error (an item's first
    # error ends its other fields).
    assert CountingContext.infos == 1 + 1 + len(BAD)


class Upper(SchemaExtension):
    """Middleware: while it wraps resolvers, every field takes the generic path."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


def test_middleware_still_sees_every_field() -> None:
    CountingContext.infos = 0
    data, errors = run(CountingContext, extensions=[Upper])
    assert (data, errors) == run(StrawberryGraphQLCoreExecutionContext, extensions=[Upper])
    assert data["items"][0]["name"] == "A"
    assert data["items"][0]["shout"] == "AA"
    # Every field executed builds its info: items, the good item's 7 fields, and each
    # bad item's fields up to its first error (1, 2, 3, 5 and 5 of them).
    assert CountingContext.infos == 1 + 7 + 1 + 2 + 3 + 5 + 5


# Objects and lists of objects under plain fields: the short path executes their
# selections itself, and must locate and propagate errors as the generic path does.


@strawberry.interface
class Named:
    label: str


@strawberry.type
class Part(Named):
    @strawberry.field
    async def later(self) -> str:
        if self.label == "late-boom":
            raise ValueError("later failed")
        return self.label + "!"

    @strawberry.field
    def sync(self) -> str:
        if self.label == "boom":
            raise ValueError("sync failed")
        return self.label


@strawberry.type
class Leaf:
    at: int


@strawberry.type
class Box:
    part: Part
    maybe_part: Part | None
    parts: list[Part]
    maybe_parts: list[Part | None] | None
    leaves: list[Leaf]


def _box(label: str, parts: list[Any], maybe_parts: list[Any] | None = None) -> Box:
    return Box(
        part=Part(label=label),
        maybe_part=None if label == "a" else Part(label=label),
        parts=parts,
        maybe_parts=maybe_parts,
        leaves=[Leaf(at=1), Leaf(at=2)],
    )


BOXES: list[Any] = [
    _box("a", [Part(label="p1"), Part(label="p2")], [Part(label="m"), None]),
    _box("boom", [Part(label="p3")]),  # part.sync fails: part is non-null, the box nulls
    _box("b", [Part(label="late-boom")], [Part(label="late-boom")]),
    _box("c", [Part(label="p4"), None]),  # a null item in a list of non-null items
    _box("d", [Part(label="p5")], [Leaf(at=3)]),  # an item of the wrong type
    _box("e", "not a list"),  # type: ignore[arg-type]
    Box(part=None, maybe_part=None, parts=[], maybe_parts=None, leaves=[]),  # type: ignore[arg-type]
]


@strawberry.type
class BoxQuery:
    @strawberry.field
    def boxes(self) -> list[Box | None]:
        return BOXES


BOX_QUERIES = [
    "{ boxes { part { label } maybePart { label } parts { label } maybeParts { label }"
    " leaves { at } } }",
    "{ boxes { part { label sync } parts { sync } maybeParts { sync } } }",
    "{ boxes { part { later } parts { label later } maybeParts { later } leaves { at } } }",
    "{ boxes { parts @include(if: true) { label } p: part { ... on Part { label } } } }",
]


class CountingBoxContext(PlainFieldExecutionContext):
    infos = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
        CountingBoxContext.infos += 1
        return super().build_resolve_info(*args, **kwargs)


async def run_boxes(context: type[StrawberryGraphQLCoreExecutionContext], query: str) -> Any:
    schema = strawberry.Schema(query=BoxQuery, execution_context_class=context)
    result = await schema.execute(query)
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return result.data, errors


async def test_objects_under_plain_fields_answer_as_the_generic_path() -> None:
    for query in BOX_QUERIES:
        plain = await run_boxes(PlainFieldExecutionContext, query)
        assert plain == await run_boxes(StrawberryGraphQLCoreExecutionContext, query), query
        data, errors = plain
        assert data["boxes"][0] is not None, query
        assert errors, query  # every query meets some of the bad boxes


async def test_objects_under_plain_fields_skip_the_resolve_info() -> None:
    CountingBoxContext.infos = 0
    data, _ = await run_boxes(CountingBoxContext, "{ boxes { part { label } leaves { at } } }")
    assert data["boxes"][0] == {"part": {"label": "a"}, "leaves": [{"at": 1}, {"at": 2}]}
    # boxes, and the last box's null part (reported by the generic path)
    assert CountingBoxContext.infos == 2
