"""Field execution with a short path for plain data fields.

A dashboard page of 50 refund requests with their decisions executes about 1,350
fields, and most of them are plain data: an attribute of the object already resolved,
a scalar or an enum, no arguments, no resolver. graphql-core still builds a resolve
info for each, calls Strawberry's wrapper, then walks the generic value completion
(exception? non-null? list? leaf? abstract? object?). For those fields this execution
context reads the attribute as Strawberry's resolver would (``getattr``, its default
resolver) and coerces it with the type's own ``coerce_output_value``, which is all the
generic path ends up doing.

A plain field whose value is an object (``order``, ``decision``) or a list of objects
(``deadlines``, ``edges``) is read the same way and its selection executed at once:
graphql-core's own ``collect_and_execute_subfields``, with its errors handled by its
own ``handle_field_error`` at the same path, as the generic path does after it has
built a resolve info and walked the completion's type checks.

Anything unusual takes the generic path, which then produces the usual result or
error: a field with arguments or directives, a resolver or field extensions, a value
that is null where the type forbids it, an exception, an awaitable, a value the scalar
refuses, an object type whose ``is_type_of`` is not Strawberry's ``isinstance`` test or
refuses the value, and every field while schema-extension middleware (tracing) wraps
resolvers. Reading a plain attribute twice has no effect, so falling back after a look
is safe; once a selection has started to execute, it is not started again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import attrgetter
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
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

Coerce = Callable[[Any], Any]


class Plan:
    """How to complete one plain field: read it, then coerce it (or each item), or
    execute its selection on it (or on each item) when ``object_type`` is set."""

    __slots__ = (
        "coerce",
        "is_list",
        "item_non_null",
        "item_type",
        "non_null",
        "object_type",
        "read",
        "type",
    )

    def __init__(
        self,
        read: Callable[[Any], Any],
        coerce: Coerce | None,
        non_null: bool,
        is_list: bool,
        item_non_null: bool,
        object_type: GraphQLObjectType | None = None,
        type_: Any = None,
    ) -> None:
        self.read = read
        self.coerce = coerce
        self.non_null = non_null
        self.is_list = is_list
        self.item_non_null = item_non_null
        self.object_type = object_type
        # The field's type and its items' type, as the error handling reads them.
        self.type = type_
        self.item_type: Any = _unwrap(type_)[0].of_type if is_list and type_ is not None else None


# Keyed by (object type, field name); None marks a field that always takes the generic
# path. Types live as long as their schema, and a process builds a handful of schemas.
_PLANS: dict[tuple[GraphQLObjectType, str], Plan | None] = {}


def _unwrap(type_: Any) -> tuple[Any, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


def _leaf(type_: Any) -> tuple[Coerce | None, bool]:
    inner, non_null = _unwrap(type_)
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return inner.coerce_output_value, non_null
    return None, non_null


def is_strawberry_check(is_type_of: Any) -> bool:
    # The check Strawberry gives a type that implements an interface (Node): a pure
    # isinstance test that never reads its resolve info.
    module = getattr(is_type_of, "__module__", None)
    name = getattr(is_type_of, "__qualname__", "")
    return module == "strawberry.schema.schema_converter" and name.endswith(
        "_get_is_type_of.<locals>.is_type_of"
    )


def _object(type_: Any) -> GraphQLObjectType | None:
    # Any other is_type_of may need its resolve info, or be awaitable: the generic path
    # asks it.
    if isinstance(type_, GraphQLObjectType) and (
        type_.is_type_of is None or is_strawberry_check(type_.is_type_of)
    ):
        return type_
    return None


def plan_of(parent_type: GraphQLObjectType, name: str) -> Plan | None:
    """The plain-field plan of ``parent_type.name``, or None when the field takes the
    generic path (made once per field)."""
    key = (parent_type, name)
    try:
        return _PLANS[key]
    except KeyError:
        plan = _PLANS[key] = _plan(parent_type, name)
        return plan


def _plan(parent_type: GraphQLObjectType, name: str) -> Plan | None:
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
    read: Callable[[Any], Any]
    if definition.default_resolver is getattr and definition.python_name:
        # What _get_basic_result ends up calling, through four Python frames:
        # get_result, its base_resolver check, python_name, then getattr.
        read = attrgetter(definition.python_name)
    else:
        read = partial(resolve, info=None)
    type_ = field_def.type
    coerce, non_null = _leaf(type_)
    if coerce is not None:
        return Plan(read, coerce, non_null, False, False)
    outer, _ = _unwrap(type_)
    if (object_type := _object(outer)) is not None:
        return Plan(read, None, non_null, False, False, object_type, type_)
    if isinstance(outer, GraphQLList):
        item_coerce, item_non_null = _leaf(outer.of_type)
        if item_coerce is not None:
            return Plan(read, item_coerce, non_null, True, item_non_null)
        item, item_non_null = _unwrap(outer.of_type)
        if (object_type := _object(item)) is not None:
            return Plan(read, None, non_null, True, item_non_null, object_type, type_)
    return None


def complete_plain(plan: Plan, value: Any) -> Any:
    """The completed value of a plain leaf field (``plan.coerce`` set), or Undefined
    when the generic path must decide."""
    if value is None or value is Undefined:
        return Undefined if plan.non_null else None
    if isinstance(value, Exception):
        return Undefined
    coerce = plan.coerce
    assert coerce is not None
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


def _plain_objects(plan: Plan, value: Any, is_awaitable: Callable[[Any], bool]) -> bool:
    """Whether the value (or each item) is an object of the type to execute a selection
    on, with nothing for the generic path to report or await first."""
    assert plan.object_type is not None
    check = plan.object_type.is_type_of
    items = value if plan.is_list else (value,)
    if plan.is_list and type(value) is not list and type(value) is not tuple:
        return False
    for item in items:
        if item is None or item is Undefined or isinstance(item, Exception) or is_awaitable(item):
            return False
        if check is not None and check(item, None) is not True:  # type: ignore[arg-type]
            return False
    return True


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
            plan = plan_of(parent_type, node.name.value)
            if plan is not None and not node.arguments:
                if plan.object_type is not None:
                    if node.directives:
                        plan = None  # @stream and the like: the generic path
                    else:
                        try:
                            value = plan.read(source)
                        except Exception:
                            value = Undefined
                        if value is None and not plan.non_null:
                            return None
                        if _plain_objects(plan, value, self.is_awaitable):
                            return self._execute_objects(
                                plan, field_details_list, path, value, position_context
                            )
                else:
                    try:
                        completed = complete_plain(plan, plan.read(source))
                    except Exception:
                        completed = Undefined
                    if completed is not Undefined:
                        return completed
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _execute_objects(
        self,
        plan: Plan,
        field_details_list: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """The selection executed on the object (or each item), as the generic path's
        ``complete_value`` then ``complete_list_value`` would, errors included."""
        object_type = plan.object_type
        assert object_type is not None
        field_type = plan.type
        execute = self.collect_and_execute_subfields
        results: list[Any] = []
        pending: list[int] = []
        try:
            if not plan.is_list:
                completed = execute(object_type, field_details_list, path, value, position_context)
                if self.is_awaitable(completed):
                    return self._awaited(completed, field_type, field_details_list, path)
                return completed
            item_type = plan.item_type
            item_completed: Any
            for index, item in enumerate(value):
                item_path = path.add_key(index, None)
                try:
                    item_completed = execute(
                        object_type, field_details_list, item_path, item, position_context
                    )
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    item_completed = None
                else:
                    if self.is_awaitable(item_completed):
                        item_completed = self._awaited(
                            item_completed, item_type, field_details_list, item_path
                        )
                        pending.append(index)
                results.append(item_completed)
        except Exception as raw_error:
            if pending:
                # Items already under way may fail too: settled, as the generic path does.
                self.settle_in_background([results[i] for i in pending])
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None
        if not pending:
            return results
        return self._gathered(results, pending, field_type, field_details_list, path)

    async def _awaited(
        self, completed: Any, type_: Any, field_details_list: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, type_, field_details_list, path)
            return None

    async def _gathered(
        self,
        results: list[Any],
        pending: list[int],
        field_type: Any,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        # A non-null item's error goes up to the list, as in the generic path.
        try:
            awaited = await gather_with_cancel(*(results[i] for i in pending))
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None
        for index, item in zip(pending, awaited, strict=True):
            results[index] = item
        return results
