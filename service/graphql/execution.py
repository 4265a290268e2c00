"""Field execution with a short path for plain data fields.

A dashboard page of 50 refund requests with their decisions executes about 1,350
fields, and most of them are plain data: an attribute of the object already resolved,
a scalar or an enum, no arguments, no resolver. graphql-core still builds a resolve
info for each, calls Strawberry's wrapper, then walks the generic value completion
(exception? non-null? list? leaf? abstract? object?). For those fields this execution
context reads the attribute through the same resolver and coerces it with the type's
own ``coerce_output_value``, which is all the generic path ends up doing.

Anything unusual takes the generic path, which then produces the usual result or
error: a field with arguments, a resolver or field extensions, a value that is null
where the type forbids it, an exception, an awaitable, a value the scalar refuses, and
every field while schema-extension middleware (tracing) wraps resolvers. Reading a
plain attribute twice has no effect, so falling back after a look is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

Coerce = Callable[[Any], Any]


class _Plan:
    """How to complete one plain field: read it, then coerce it (or each item)."""

    __slots__ = ("coerce", "is_list", "item_non_null", "non_null", "resolve")

    def __init__(
        self,
        resolve: Callable[..., Any],
        coerce: Coerce,
        non_null: bool,
        is_list: bool,
        item_non_null: bool,
    ) -> None:
        self.resolve = resolve
        self.coerce = coerce
        self.non_null = non_null
        self.is_list = is_list
        self.item_non_null = item_non_null


# Keyed by (object type, field name); None marks a field that always takes the generic
# path. Types live as long as their schema, and a process builds a handful of schemas.
_PLANS: dict[tuple[GraphQLObjectType, str], _Plan | None] = {}


def _leaf(type_: Any) -> tuple[Coerce | None, bool]:
    non_null = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if non_null else type_
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return inner.coerce_output_value, non_null
    return None, non_null


def _plan(parent_type: GraphQLObjectType, name: str) -> _Plan | None:
    field_def = parent_type.fields.get(name)
    if field_def is None or field_def.args:
        return None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    resolve = field_def.resolve
    # Strawberry resolves a basic field (no resolver, no extensions) with this function,
    # and only when no exception handler applies to the field.
    if (
        not isinstance(definition, StrawberryField)
        or not definition.is_basic_field
        or resolve is None
        or getattr(resolve, "__name__", "") != "_get_basic_result"
    ):
        return None
    type_ = field_def.type
    coerce, non_null = _leaf(type_)
    if coerce is not None:
        return _Plan(resolve, coerce, non_null, False, False)
    outer = type_.of_type if non_null else type_
    if isinstance(outer, GraphQLList):
        item_coerce, item_non_null = _leaf(outer.of_type)
        if item_coerce is not None:
            return _Plan(resolve, item_coerce, non_null, True, item_non_null)
    return None


def _complete(plan: _Plan, value: Any) -> Any:
    """The completed value, or Undefined when the generic path must decide."""
    if value is None or value is Undefined:
        return Undefined if plan.non_null else None
    if isinstance(value, Exception):
        return Undefined
    coerce = plan.coerce
    if not plan.is_list:
        coerced = coerce(value)
        return Undefined if coerced is None else coerced
    if type(value) is not list and type(value) is not tuple:
        return Undefined
    out: list[Any] = []
    for item in value:
        if item is None:
            if plan.item_non_null:
                return Undefined
            out.append(None)
            continue
        if isinstance(item, Exception):
            return Undefined
        coerced = coerce(item)
        if coerced is None or coerced is Undefined:
            return Undefined
        out.append(coerced)
    return out


class PlainFieldExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with the short path for plain data fields."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager
        # Strawberry passes a manager on every request; it wraps resolvers only when an
        # extension implements ``resolve`` (tracing does).
        if middleware is None or not middleware.middlewares:
            node = field_details_list[0].node
            key = (parent_type, node.name.value)
            try:
                plan = _PLANS[key]
            except KeyError:
                plan = _PLANS[key] = _plan(*key)
            if plan is not None and not node.arguments:
                try:
                    completed = _complete(plan, plan.resolve(source, None))
                except Exception:
                    completed = Undefined
                if completed is not Undefined:
                    return completed
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
