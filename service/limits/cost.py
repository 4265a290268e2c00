"""Shopify-style calculated query cost.

- A scalar or enum field costs 0; an object field 1 plus what it selects.
- A connection costs 2 plus ``first`` (20 when not given) times the cost of one item
  (its node and what the node selects); ``pageInfo`` costs 1.
- A field that computes a decision (``Decision``, ``Recommendation``) costs 5 plus what
  it selects: it runs the rule engine.
- A list that is not paginated counts as 5 items; ``nodes(ids:)`` as its ids.
- Each mutation field costs 10 plus what its payload selects.

The requested cost is computed from the document before it runs; the actual cost
walks the response with the same rules, counting the items really returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    parse,
)

OBJECT_COST = 1
CONNECTION_COST = 2
DECISION_COST = 5
MUTATION_COST = 10
DEFAULT_PAGE = 20
UNPAGINATED_LIST_SIZE = 5
DECISION_TYPES = frozenset({"Decision", "Recommendation"})
# Fragments may nest; validation (which rejects cycles) runs after the cost check.
MAX_DEPTH = 64

Selection = SelectionSetNode | None
_STATIC: Any = object()  # "no response data": estimate sizes from the arguments


@dataclass(frozen=True)
class Operation:
    """An operation picked out of a parsed document, with its variables."""

    document: DocumentNode
    definition: OperationDefinitionNode
    variables: Mapping[str, Any]


@lru_cache(maxsize=512)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, no_location=True, max_tokens=max_tokens)


def operation_of(
    query: str, operation_name: str | None, variables: Mapping[str, Any] | None, max_tokens: int
) -> Operation | None:
    """The operation to cost, or None when the document does not parse or does not
    name one operation (it is refused later, when it runs, without cost)."""
    try:
        document = _parse(query, max_tokens)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None
    return Operation(document, operations[0], variables or {})


def requested_cost(schema: GraphQLSchema, operation: Operation) -> int:
    return _Coster(schema, operation).operation_cost(_STATIC)


def actual_cost(schema: GraphQLSchema, operation: Operation, data: Any) -> int:
    return _Coster(schema, operation).operation_cost(data if data is not None else {})


class _Coster:
    def __init__(self, schema: GraphQLSchema, operation: Operation) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = {
            d.name.value: d
            for d in operation.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }

    def operation_cost(self, data: Any) -> int:
        definition = self.operation.definition
        root = self.schema.get_root_type(definition.operation)
        if root is None:
            return 0
        per_field = MUTATION_COST if definition.operation is OperationType.MUTATION else 0
        total = 0
        for field, field_def, key in self._fields(root, definition.selection_set, 0):
            value = _STATIC if data is _STATIC else _get(data, key)
            if data is not _STATIC and value is None and key not in (data or {}):
                continue  # not in the response (never ran): costs nothing
            total += per_field + self._field_cost(field, field_def, value, 0)
        return total

    def _fields(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None, depth: int
    ) -> list[tuple[FieldNode, GraphQLField, str]]:
        found: list[tuple[FieldNode, GraphQLField, str]] = []
        if selection_set is None or depth > MAX_DEPTH:
            return found
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", None)
                field_def = fields.get(selection.name.value) if fields else None
                if field_def is not None:
                    key = selection.alias.value if selection.alias else selection.name.value
                    found.append((selection, field_def, key))
            elif isinstance(selection, InlineFragmentNode):
                target = self._condition(parent, selection.type_condition)
                found += self._fields(target, selection.selection_set, depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self._condition(parent, fragment.type_condition)
                    found += self._fields(target, fragment.selection_set, depth + 1)
        return found

    def _condition(self, parent: GraphQLNamedType, condition: Any) -> GraphQLNamedType:
        if condition is None:
            return parent
        named = self.schema.get_type(condition.name.value)
        return named if named is not None else parent

    def _field_cost(self, field: FieldNode, field_def: GraphQLField, value: Any, depth: int) -> int:
        named = get_named_type(field_def.type)
        if not is_composite_type(named) or depth > MAX_DEPTH:
            return 0
        if value is None:
            return 0  # a null in the response: nothing was fetched below it
        if named.name.endswith("Connection"):
            return self._connection_cost(field, named, value, depth)
        if _is_list(field_def.type) and value is _STATIC:
            each = self._object_cost(named, field.selection_set, _STATIC, depth)
            return self._static_size(field) * each
        if _is_list(field_def.type):
            items = value if isinstance(value, list) else []
            return sum(self._object_cost(named, field.selection_set, item, depth) for item in items)
        return self._object_cost(named, field.selection_set, value, depth)

    def _object_cost(
        self,
        named: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        value: Any,
        depth: int,
    ) -> int:
        if value is None:
            return 0
        own = DECISION_COST if named.name in DECISION_TYPES else OBJECT_COST
        if named.name.endswith("Edge") or named.name == "PageInfo":
            own = 0 if named.name.endswith("Edge") else OBJECT_COST
        return own + self._selection_cost(named, selection_set, value, depth + 1)

    def _selection_cost(
        self,
        named: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        value: Any,
        depth: int,
    ) -> int:
        total = 0
        for field, field_def, key in self._fields(named, selection_set, depth):
            child = _STATIC if value is _STATIC else _get(value, key)
            total += self._field_cost(field, field_def, child, depth)
        return total

    def _connection_cost(
        self, field: FieldNode, connection: GraphQLNamedType, value: Any, depth: int
    ) -> int:
        size = self._page_size(field)
        total = CONNECTION_COST
        for sub, sub_def, key in self._fields(connection, field.selection_set, depth + 1):
            named = get_named_type(sub_def.type)
            if not is_composite_type(named):
                continue
            child = _STATIC if value is _STATIC else _get(value, key)
            if _is_list(sub_def.type) and child is _STATIC:  # edges, nodes: per item
                total += size * self._object_cost(named, sub.selection_set, _STATIC, depth + 1)
            elif _is_list(sub_def.type):
                total += sum(
                    self._object_cost(named, sub.selection_set, item, depth + 1)
                    for item in child or []
                )
            else:
                total += self._object_cost(named, sub.selection_set, child, depth + 1)
        return total

    def _page_size(self, field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value in ("first", "last"):
                size = self._int(argument.value)
                if size is not None:
                    return max(0, size)
        return DEFAULT_PAGE

    def _static_size(self, field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value == "ids":
                ids = self._value(argument.value)
                if isinstance(ids, list):
                    return len(ids)
        return UNPAGINATED_LIST_SIZE

    def _value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            return self.operation.variables.get(node.name.value)
        if isinstance(node, ListValueNode):
            return [self._value(v) for v in node.values]
        if isinstance(node, IntValueNode):
            return int(node.value)
        return None

    def _int(self, node: Any) -> int | None:
        value = self._value(node)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None
