"""Variable coercion planned once per input type.

graphql-core coerces each request's variables by walking the value and its type
together, asking at every level what kind of type it has (``is_non_null_type``,
``is_list_type``…), and walks the whole value once more beforehand to refuse input
nested deeper than its parser allows. For a 500-order ``upsertOrders`` batch that is a
fifth of the request; for ``recommend``'s nested ``CaseInput``, a tenth.

:func:`install` replaces the two functions graphql-core's variable coercion calls
(``coerce_input_value`` and ``input_is_nested_too_deeply`` in
``graphql.execution.values``) with ones that follow a plan built once per input type:

- The plan does exactly what ``coerce_input_value`` does, step for step, and returns
  the same values, ``Undefined`` included. When it returns ``Undefined``, graphql-core
  runs its own ``validate_input_value`` for the errors, as before: the messages and
  their paths are graphql-core's.
- The nesting check answers at once for a type whose nesting the type itself bounds
  (no input type that contains itself) below the limit: the value cannot go deeper
  than the type does. Any other type takes graphql-core's walk.

``tests/graphql/test_coercion.py`` compares both coercions on generated values for
every input type of the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import graphql.execution.values as values
from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    Undefined,
)
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.pyutils import is_iterable
from graphql.type import is_leaf_type, is_required_input_field
from graphql.utilities.coerce_input_value import coerce_default_value

Coerce = Callable[[Any], Any]

_generic_coerce = values.coerce_input_value  # type: ignore[attr-defined]
_generic_too_deep = values.input_is_nested_too_deeply

# Keyed by the type's shape: its wrappers and its named type's identity. A variable's
# type is built anew for every request (``[OrderInput!]!`` as fresh wrapper objects), so
# the wrappers' own identities would make a plan per request and keep them all; the
# named types live as long as the schema, and are kept with the plan to check the id.
_Key = tuple[str, int]
_plans: dict[_Key, tuple[GraphQLInputType, Coerce]] = {}
_depths: dict[_Key, tuple[GraphQLInputType, int | None]] = {}


def _key(type_: GraphQLInputType) -> tuple[_Key, GraphQLInputType]:
    wrappers = []
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        wrappers.append("!" if isinstance(type_, GraphQLNonNull) else "[")
        type_ = type_.of_type
    return ("".join(wrappers), id(type_)), type_


def coerce_input_value(input_value: Any, type_: GraphQLInputType) -> Any:
    """``graphql.utilities.coerce_input_value``, by the type's plan."""
    return _plan(type_)(input_value)


def input_is_nested_too_deeply(value: Any, type_: GraphQLInputType) -> bool:
    """``graphql.execution.values.input_is_nested_too_deeply``, answered from the type
    when it bounds the nesting."""
    depth = _depth(type_)
    if depth is not None and depth <= MAX_NESTING_DEPTH:
        return False
    return _generic_too_deep(value, type_)


def plan_for(type_: GraphQLInputType) -> Coerce | None:
    """The coercion of values of ``type_`` when the type bounds their nesting below
    graphql-core's limit (so no value of it is refused for its depth), else None."""
    depth = _depth(type_)
    if depth is None or depth > MAX_NESTING_DEPTH:
        return None
    return _plan(type_)


def install() -> None:
    """Have graphql-core's variable coercion use the plans (idempotent)."""
    values.coerce_input_value = coerce_input_value  # type: ignore[attr-defined]
    values.input_is_nested_too_deeply = input_is_nested_too_deeply


def _plan(type_: GraphQLInputType) -> Coerce:
    key, named = _key(type_)
    found = _plans.get(key)
    if found is not None and found[0] is named:
        return found[1]
    # A type that contains itself reaches its own plan through this cell before the
    # plan is built.
    cell: list[Coerce] = []
    _plans[key] = (named, lambda v: cell[0](v))
    plan = _build(type_)
    cell.append(plan)
    _plans[key] = (named, plan)
    return plan


def _build(type_: GraphQLInputType) -> Coerce:
    if isinstance(type_, GraphQLNonNull):
        inner = _core(type_.of_type)

        def non_null(v: Any) -> Any:
            if v is None or v is Undefined:
                return Undefined
            return inner(v)

        return non_null
    core = _core(type_)

    def nullable(v: Any) -> Any:
        if v is None or v is Undefined:
            return None
        return core(v)

    return nullable


def _core(type_: GraphQLInputType) -> Coerce:
    """The coercion of a value known not to be null."""
    if isinstance(type_, GraphQLList):
        return _list(_plan(type_.of_type))
    if isinstance(type_, GraphQLInputObjectType):
        return _input_object(type_)
    if is_leaf_type(type_):
        return _leaf(type_.coerce_input_value)
    # Anything else (a wrapper graphql-core may add one day) stays generic.
    return lambda v: _generic_coerce(v, type_)


def _list(item: Coerce) -> Coerce:
    def coerce_list(v: Any) -> Any:
        if not is_iterable(v):
            one = item(v)
            return Undefined if one is Undefined else [one]
        out: list[Any] = []
        append = out.append
        for x in v:
            c = item(x)
            if c is Undefined:
                return Undefined
            append(c)
        return out

    return coerce_list


def _leaf(parse: Callable[[Any], Any]) -> Coerce:
    def coerce_leaf(v: Any) -> Any:
        try:
            return parse(v)
        except Exception:  # graphql-core takes any failure for an invalid value
            return Undefined

    return coerce_leaf


def _input_object(type_: GraphQLInputObjectType) -> Coerce:
    fields = type_.fields
    plan = [
        (
            name,
            field.out_name or name,
            _plan(field.type),
            is_required_input_field(field),
            # coerce_default_value answers Undefined at once for a field without one.
            field.default is not None or field.default_value is not Undefined,
            field,
        )
        for name, field in fields.items()
    ]
    names = fields.keys()
    out_type = type_.out_type
    one_of = type_.is_one_of

    def coerce_object(v: Any) -> Any:
        if not isinstance(v, dict):
            return Undefined
        defined = 0
        if one_of or not v.keys() <= names:  # else: all known, the count unused
            for name, value in v.items():
                if value is Undefined:
                    continue
                defined += 1
                if name not in fields:
                    return Undefined
        out: dict[str, Any] = {}
        for name, key, coerce, required, has_default, field in plan:
            value = v.get(name, Undefined)
            if value is Undefined:
                if required:
                    return Undefined
                if has_default:
                    default = coerce_default_value(field)
                    if default is not Undefined:
                        out[key] = default
            else:
                c = coerce(value)
                if c is Undefined:
                    return Undefined
                out[key] = c
        if one_of:
            keys = list(out)
            if defined != 1 or len(keys) != 1 or out[keys[0]] is None:
                return Undefined
        return out_type(out)

    return coerce_object


def _depth(type_: GraphQLInputType) -> int | None:
    """How deep a value of ``type_`` can nest, counted as graphql-core's check counts
    (a level per list and per input object field); None when the type contains
    itself, so that only the value bounds it."""
    key, named = _key(type_)
    found = _depths.get(key)
    if found is not None and found[0] is named:
        return found[1]
    depth = _measure(type_, set())
    _depths[key] = (named, depth)
    return depth


def _measure(type_: GraphQLInputType, visiting: set[int]) -> int | None:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        inner = _measure(type_.of_type, visiting)
        return None if inner is None else inner + 1
    if isinstance(type_, GraphQLInputObjectType):
        if id(type_) in visiting:
            return None
        visiting.add(id(type_))
        deepest = 0
        for field in type_.fields.values():
            d = _measure(field.type, visiting)
            if d is None:
                return None
            deepest = max(deepest, d + 1)
        visiting.discard(id(type_))
        return deepest
    return 0
