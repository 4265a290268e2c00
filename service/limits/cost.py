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

Both walk a *plan* of the operation, built once per document and cached: its
object-typed fields only (scalars cost nothing), fragments already resolved. Walking
the response of a 50-item page with full decisions then visits a few fields per item,
not every scalar in it. A fragment spread in many places is planned once and, before
the document runs, costed once, so a small document cannot make the costing itself
exponential; documents whose fragments spread in a cycle are not costed at all (the
validation that follows refuses them).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
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
# Selections nested deeper are not costed: the document's depth limit refuses them.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Operation:
    """An operation picked out of a parsed document, with its variables."""

    document: DocumentNode
    definition: OperationDefinitionNode
    variables: Mapping[str, Any]
    # The source text and the name asked for: together they key the cached plan.
    query: str
    name: str | None
    max_tokens: int


@lru_cache(maxsize=512)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, no_location=True, max_tokens=max_tokens)


@lru_cache(maxsize=512)
def _definition(
    query: str, operation_name: str | None, max_tokens: int
) -> tuple[DocumentNode, OperationDefinitionNode] | None:
    # Once per document and name: a client sends the same few documents over and over.
    try:
        document = _parse(query, max_tokens)
    except (GraphQLError, RecursionError):
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or _has_fragment_cycle(document):
        return None
    return document, operations[0]


def operation_of(
    query: str, operation_name: str | None, variables: Mapping[str, Any] | None, max_tokens: int
) -> Operation | None:
    """The operation to cost, or None when the document does not parse, does not name
    one operation, or spreads fragments in a cycle (it is refused later, when it runs,
    without cost)."""
    found = _definition(query, operation_name, max_tokens)
    if found is None:
        return None
    document, definition = found
    return Operation(document, definition, variables or {}, query, operation_name, max_tokens)


def requested_cost(schema: GraphQLSchema, operation: Operation) -> int:
    """The cost charged before the operation runs, from its document and variables."""
    plan = _plan_of(schema, operation)
    if plan.fixed is not None:
        return plan.fixed
    static = _Static(operation.variables)
    cost = static.operation(plan)
    if not static.read_variables:
        # No size came from a variable: every request with this document costs the same.
        plan.fixed = cost
    return cost


def actual_cost(schema: GraphQLSchema, operation: Operation, data: Any) -> int:
    """The cost of what the response holds (``data``), with the same rules."""
    plan = _plan_of(schema, operation)
    return _Actual(operation.variables).operation(plan, data if data is not None else {})


# -- the plan -------------------------------------------------------------------------


class _Kind(enum.Enum):
    LEAF = "leaf"  # a scalar or enum: costs nothing (planned only at the root)
    OBJECT = "object"
    LIST = "list"
    CONNECTION = "connection"


@dataclass(eq=False)
class _Field:
    """A field of the operation, as its cost needs it."""

    key: str  # the response key: the alias, else the name
    node: FieldNode
    kind: _Kind
    own: int  # the cost of one object of its type, before what it selects
    # The object-typed fields selected on each of its objects; for a connection, on
    # the connection object (edges, nodes, pageInfo). Shared between the places a
    # fragment is spread.
    children: tuple[_Field, ...] = field(default=())


@dataclass(eq=False)
class _Plan:
    per_field: int  # each root field's own cost (mutations)
    roots: tuple[_Field, ...]
    # The requested cost, once known not to depend on the variables.
    fixed: int | None = None


def _plan_of(schema: GraphQLSchema, operation: Operation) -> _Plan:
    return _cached_plan(schema, operation.query, operation.name, operation.max_tokens)


@lru_cache(maxsize=512)
def _cached_plan(schema: GraphQLSchema, query: str, name: str | None, max_tokens: int) -> _Plan:
    operation = operation_of(query, name, None, max_tokens)
    assert operation is not None  # it was costed, so it parsed and named one operation
    return _Planner(schema, operation.document).plan(operation.definition)


class _Planner:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        # (type name, selection set) -> its planned object fields: a fragment spread
        # in many places is planned once.
        self.memo: dict[tuple[str, int], tuple[_Field, ...]] = {}

    def plan(self, definition: OperationDefinitionNode) -> _Plan:
        root = self.schema.get_root_type(definition.operation)
        if root is None:
            return _Plan(0, ())
        per_field = MUTATION_COST if definition.operation is OperationType.MUTATION else 0
        roots = tuple(self._planned(root, definition.selection_set, 0, leaves=True))
        return _Plan(per_field, roots)

    def _children(
        self, named: GraphQLNamedType, selection_set: SelectionSetNode | None, depth: int
    ) -> tuple[_Field, ...]:
        if selection_set is None or depth > MAX_DEPTH:
            return ()
        key = (named.name, id(selection_set))
        found = self.memo.get(key)
        if found is None:
            found = tuple(self._planned(named, selection_set, depth, leaves=False))
            self.memo[key] = found
        return found

    def _planned(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        depth: int,
        *,
        leaves: bool,
    ) -> list[_Field]:
        found: list[_Field] = []
        if selection_set is None or depth > MAX_DEPTH:
            return found
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", None)
                field_def = fields.get(selection.name.value) if fields else None
                if field_def is None:
                    continue
                planned = self._field(selection, field_def.type, depth)
                if planned.kind is not _Kind.LEAF or leaves:
                    found.append(planned)
            elif isinstance(selection, InlineFragmentNode):
                target = self._condition(parent, selection.type_condition)
                found += self._children(target, selection.selection_set, depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self._condition(parent, fragment.type_condition)
                    found += self._children(target, fragment.selection_set, depth + 1)
        return found

    def _field(self, node: FieldNode, type_: Any, depth: int) -> _Field:
        key = node.alias.value if node.alias else node.name.value
        named = get_named_type(type_)
        if not is_composite_type(named) or depth > MAX_DEPTH:
            return _Field(key, node, _Kind.LEAF, 0)
        if named.name.endswith("Connection"):
            kind = _Kind.CONNECTION
        else:
            kind = _Kind.LIST if _is_list(type_) else _Kind.OBJECT
        if named.name.endswith("Edge"):
            own = 0
        elif named.name in DECISION_TYPES:
            own = DECISION_COST
        else:
            own = OBJECT_COST
        children = self._children(named, node.selection_set, depth + 1)
        return _Field(key, node, kind, own, children)

    def _condition(self, parent: GraphQLNamedType, condition: Any) -> GraphQLNamedType:
        if condition is None:
            return parent
        named = self.schema.get_type(condition.name.value)
        return named if named is not None else parent


# -- costing a plan -------------------------------------------------------------------


class _Arguments:
    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.variables = variables
        self.read_variables = False

    def page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                size = self._int(argument.value)
                if size is not None:
                    return max(0, size)
        return DEFAULT_PAGE

    def list_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "ids":
                ids = self._value(argument.value)
                if isinstance(ids, list):
                    return len(ids)
        return UNPAGINATED_LIST_SIZE

    def _value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            self.read_variables = True
            return self.variables.get(node.name.value)
        if isinstance(node, ListValueNode):
            return [self._value(v) for v in node.values]
        if isinstance(node, IntValueNode):
            return int(node.value)
        return None

    def _int(self, node: Any) -> int | None:
        value = self._value(node)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Static(_Arguments):
    """Before the operation runs: sizes from the arguments."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        super().__init__(variables)
        self.memo: dict[int, int] = {}  # id(field) -> its cost; a field is costed once

    def operation(self, plan: _Plan) -> int:
        return sum(plan.per_field + self._field(f) for f in plan.roots)

    def _field(self, f: _Field) -> int:
        cost = self.memo.get(id(f))
        if cost is None:
            cost = self.memo[id(f)] = self._compute(f)
        return cost

    def _compute(self, f: _Field) -> int:
        if f.kind is _Kind.LEAF:
            return 0
        if f.kind is _Kind.CONNECTION:
            size = self.page_size(f.node)
            total = CONNECTION_COST
            for sub in f.children:  # edges and nodes count per item
                each = self._object(sub)
                total += size * each if sub.kind is _Kind.LIST else each
            return total
        if f.kind is _Kind.LIST:
            return self.list_size(f.node) * self._object(f)
        return self._object(f)

    def _object(self, f: _Field) -> int:
        return f.own + sum(self._field(child) for child in f.children)


class _Actual(_Arguments):
    """After it ran: the items the response really holds."""

    def operation(self, plan: _Plan, data: Any) -> int:
        total = 0
        for f in plan.roots:
            value = _get(data, f.key)
            if value is None and f.key not in (data or {}):
                continue  # not in the response (never ran): costs nothing
            total += plan.per_field + self._field(f, value)
        return total

    def _field(self, f: _Field, value: Any) -> int:
        if f.kind is _Kind.LEAF or value is None:
            return 0  # a null in the response: nothing was fetched below it
        if f.kind is _Kind.CONNECTION:
            total = CONNECTION_COST
            for sub in f.children:
                child = _get(value, sub.key)
                if sub.kind is _Kind.LIST:
                    total += sum(self._object(sub, item) for item in _items(child))
                else:
                    total += self._object(sub, child)
            return total
        if f.kind is _Kind.LIST:
            return sum(self._object(f, item) for item in _items(value))
        return self._object(f, value)

    def _object(self, f: _Field, value: Any) -> int:
        if value is None:
            return 0
        return f.own + sum(self._field(child, _get(value, child.key)) for child in f.children)


def _has_fragment_cycle(document: DocumentNode) -> bool:
    spreads: dict[str, set[str]] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            spreads[definition.name.value] = _spread_names(definition.selection_set)
    done: set[str] = set()
    for start in spreads:
        if start in done:
            continue
        # iterative depth-first search: a fragment met again on the current path is
        # a cycle
        path: set[str] = {start}
        stack: list[tuple[str, list[str]]] = [(start, sorted(spreads[start]))]
        while stack:
            name, pending = stack[-1]
            if not pending:
                stack.pop()
                path.discard(name)
                done.add(name)
                continue
            nxt = pending.pop()
            if nxt in path:
                return True
            if nxt in done or nxt not in spreads:
                continue
            path.add(nxt)
            stack.append((nxt, sorted(spreads[nxt])))
    return False


def _spread_names(selection_set: SelectionSetNode | None) -> set[str]:
    names: set[str] = set()
    pending = [selection_set]
    while pending:
        current = pending.pop()
        if current is None:
            continue
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                names.add(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode):
                pending.append(selection.selection_set)
    return names


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None
