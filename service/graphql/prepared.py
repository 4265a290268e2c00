"""Prepared operations: a query document compiled once into a direct plan, for the
stateless hot path (``recommend``).

Other services call ``recommend`` once per buyer message or order event. Through the
general path each call builds Strawberry's execution context and extension runner,
graphql-core's executor, resolve infos for every field, and collects the selection
sets again, although the document is the same every time: together about half of the
request's CPU. A prepared operation does that work once per document text:

- parse and validate it with the very caches and rules the general path uses
  (``document_rules``), so a document is refused or accepted the same way;
- keep it only when every part is plain: one query operation, no fragments, no
  directives, each response key once per selection, root fields that compute without
  the database (:data:`PURE_ROOT_FIELDS`), object types with no abstract type below;
- per request: coerce the variables by the plans graphql-core's own coercion uses
  (``coercion``; graphql-core's function itself for a variable with a default), call
  each root field's resolver (as the general path does: ``direct_resolvers``' call
  where the schema has one, Strawberry's wrapper otherwise), then read the selection
  as the general path would (``execution.plan_of`` for plain attributes, the field's
  resolver otherwise) and coerce each leaf with its type's ``coerce_output_value``.

Anything else is not an error here but a hand-back: :meth:`PreparedOperations.run`
returns None and the request takes the general path, which then answers it (parse and
validation errors, variables that fail coercion, a resolver that raises, a null where
the type forbids it, a value the scalar refuses, unstorable text in a variable). The
root resolvers are pure, so running them again on the general path changes nothing
but a decision counter, and that only on a hand-back after a decision was made, which
only a bug can cause (``tests/graphql/test_prepared.py`` compares both paths' bytes).

With schema extensions beyond the known ones (tracing, say) nothing is prepared: their
hooks must see every operation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    specified_rules,
)
from graphql.execution.values import (  # type: ignore[attr-defined]  # not in __all__
    VariableValues,
    VariableValueSource,
    get_argument_values,
    get_variable_signature,
    get_variable_values,
)
from graphql.pyutils import Path
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.schema import Schema

from service.graphql import coercion, document_rules, execution
from service.graphql.errors import ErrorCodes
from service.graphql.text_guard import unstorable_variable
from service.observability.graphql_extension import RequestInfoExtension

# Root fields that compute from their arguments and the replica's caches, with no
# statement of their own when warm: the only ones worth a plan, and safe to run again
# on the general path after a hand-back.
PURE_ROOT_FIELDS = frozenset({"recommend"})

# Extensions whose work on a prepared operation is done here: DocumentRules (parse and
# validation caches, token limit, unstorable text), ErrorCodes (acts on errors only: a
# prepared run has none) and RequestInfoExtension (operation name and outcome).
KNOWN_EXTENSIONS: tuple[type[SchemaExtension], ...] = (
    document_rules.DocumentRules,
    ErrorCodes,
    RequestInfoExtension,
)

CACHE_SIZE = document_rules.CACHE_SIZE


class _HandBack(Exception):
    """The general path must answer this request."""


@dataclass(slots=True)
class _Field:
    """One selected field: how to get its value and complete it."""

    key: str  # the response key (alias or name)
    node: FieldNode
    parent: GraphQLObjectType
    definition: GraphQLField | None  # None for __typename
    read: Callable[[Any], Any] | None  # a plain attribute (see execution.plan_of)
    # A plain attribute of a scalar or enum type (or a list of them): completed as the
    # general path's short path completes it.
    plain: execution.Plan | None
    leaf: Callable[[Any], Any] | None  # the scalar's or enum's coerce_output_value
    object_type: GraphQLObjectType | None
    selection: tuple[_Field, ...]
    non_null: bool
    is_list: bool
    item_non_null: bool


@dataclass(frozen=True, slots=True)
class _Variable:
    """A variable with no default value, whose type bounds its nesting: given, it is
    coerced by its type's plan; absent, it is left out when nullable (graphql-core's
    own steps for such a one) and an error for graphql-core to word when not."""

    name: str
    signature: Any  # graphql-core's GraphQLVariableSignature
    coerce: Callable[[Any], Any]
    non_null: bool


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document compiled for direct execution, held with its document (whose nodes
    the plan points into)."""

    document: DocumentNode
    operation: OperationDefinitionNode
    operation_name: str | None
    selection: tuple[_Field, ...]
    # None when some variable needs more of graphql-core's steps (a default, a type
    # that does not bound its nesting): graphql-core then coerces them all.
    variables: tuple[_Variable, ...] | None


@dataclass(frozen=True, slots=True)
class Answer:
    """A prepared operation's ``data``, and the operation's name for the request log."""

    data: dict[str, Any]
    operation_name: str | None


class PreparedOperations:
    """The prepared operations of one schema, made on first sight of a document text
    and kept within :data:`CACHE_SIZE` texts (a text that cannot be prepared is
    remembered as such)."""

    def __init__(self, schema: Schema, root_fields: frozenset[str] = PURE_ROOT_FIELDS) -> None:
        self.schema: GraphQLSchema = schema._schema
        self.root_fields = root_fields
        rules: Any = None
        self.enabled = True
        for factory in schema.extensions:
            extension = factory() if not isinstance(factory, SchemaExtension) else factory
            if not isinstance(extension, KNOWN_EXTENSIONS):
                self.enabled = False
            if isinstance(extension, document_rules.DocumentRules):
                rules = extension
        if rules is None:
            self.enabled = False
            self.rules: tuple[Any, ...] = ()
            self.max_tokens = 0
        else:
            # What DocumentRules gives the general path's execution context: the same
            # tuple, so the validation cache's entry is shared.
            self.rules = tuple(specified_rules) + rules.rules
            self.max_tokens = rules.max_tokens
        self._plans: OrderedDict[tuple[str, str | None], Prepared | None] = OrderedDict()

    def prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        key = (query, operation_name)
        try:
            found = self._plans[key]
        except KeyError:
            found = self._plans[key] = self._compile(query, operation_name)
            if len(self._plans) > CACHE_SIZE:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(key)
        return found

    async def run(
        self,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        context: Any,
    ) -> Answer | None:
        """The operation's ``data``, or None when the general path must answer."""
        if not self.enabled:
            return None
        prepared = self.prepare(query, operation_name)
        if prepared is None:
            return None
        if variables and unstorable_variable(variables) is not None:
            return None
        coerced = self._coerce(prepared, variables or {})
        if coerced is None:
            return None
        run = _Run(self.schema, prepared, coerced, context)
        try:
            data: dict[str, Any] = {}
            for field in prepared.selection:
                path = Path(None, field.key, field.parent.name)
                value = run.resolve(field, None, path)
                if optimized_is_awaitable(value):
                    try:
                        value = await value
                    except Exception:
                        return None
                data[field.key] = run.complete(field, value, path)
        except _HandBack:
            return None
        return Answer(data, prepared.operation_name)

    def _coerce(self, prepared: Prepared, inputs: dict[str, Any]) -> VariableValues | None:
        """The coerced variables, or None when one fails coercion (the general path
        then words the error)."""
        if prepared.variables is None:
            found = get_variable_values(
                self.schema, prepared.operation.variable_definitions or (), inputs
            )
            return None if isinstance(found, list) else found
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for variable in prepared.variables:
            value = inputs.get(variable.name, Undefined)
            if value is Undefined:
                if variable.non_null:
                    return None
                sources[variable.name] = VariableValueSource(variable.signature)
                continue
            sources[variable.name] = VariableValueSource(variable.signature, value)
            value = variable.coerce(value)
            if value is Undefined:
                return None
            coerced[variable.name] = value
        return VariableValues(sources, coerced)

    def _compile(self, query: str, operation_name: str | None) -> Prepared | None:
        try:
            document = document_rules.parsed(query, self.max_tokens)
            if document_rules.validated(self.schema, document, self.rules):
                return None
        except Exception:  # a rule that breaks on an odd document, say
            # The general path meets the same failure and answers it as it does.
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != len(document.definitions):
            return None  # fragments
        chosen = [
            o
            for o in operations
            if operation_name is None or (o.name is not None and o.name.value == operation_name)
        ]
        if len(chosen) != 1:
            return None
        operation = chosen[0]
        root = self.schema.query_type
        if operation.operation != OperationType.QUERY or operation.directives or root is None:
            return None
        if any(v.directives for v in operation.variable_definitions or ()):
            return None
        if any(
            node.name.value not in self.root_fields and node.name.value != "__typename"
            for node in operation.selection_set.selections
            if isinstance(node, FieldNode)
        ):
            return None
        try:
            selection = _selection(root, operation.selection_set.selections)
        except _HandBack:
            return None
        name = operation.name.value if operation.name is not None else None
        return Prepared(
            document, operation, operation_name or name, selection, self._variables(operation)
        )

    def _variables(self, operation: OperationDefinitionNode) -> tuple[_Variable, ...] | None:
        planned: list[_Variable] = []
        for node in operation.variable_definitions or ():
            signature = get_variable_signature(self.schema, node)
            if isinstance(signature, GraphQLError) or node.default_value is not None:
                return None
            coerce = coercion.plan_for(signature.type)
            if coerce is None:
                return None
            non_null = isinstance(signature.type, GraphQLNonNull)
            planned.append(_Variable(signature.name, signature, coerce, non_null))
        return tuple(planned)


def _selection(parent: GraphQLObjectType, nodes: Any) -> tuple[_Field, ...]:
    fields: list[_Field] = []
    keys: set[str] = set()
    for node in nodes:
        if not isinstance(node, FieldNode) or node.directives:
            raise _HandBack
        key = node.alias.value if node.alias is not None else node.name.value
        if key in keys:
            raise _HandBack  # merged fields: the general path merges them
        keys.add(key)
        fields.append(_field(parent, node, key))
    return tuple(fields)


def _field(parent: GraphQLObjectType, node: FieldNode, key: str) -> _Field:
    name = node.name.value
    if name == "__typename":
        # Its value is the parent type's name (see _Run.resolve), a string already.
        return _Field(key, node, parent, None, None, None, str, None, (), True, False, False)
    definition = parent.fields.get(name)
    if definition is None:
        raise _HandBack  # introspection (__schema, __type) and the like
    plan = None if node.arguments else execution.plan_of(parent, name)
    read = plan.read if plan is not None else None
    plain = plan if plan is not None and plan.coerce is not None else None
    if read is None and definition.resolve is None:
        raise _HandBack
    type_: Any = definition.type
    non_null = isinstance(type_, GraphQLNonNull)
    if non_null:
        type_ = type_.of_type
    is_list = isinstance(type_, GraphQLList)
    item_non_null = False
    if is_list:
        type_ = type_.of_type
        item_non_null = isinstance(type_, GraphQLNonNull)
        if item_non_null:
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            raise _HandBack  # lists of lists: none in this schema
    if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
        if node.selection_set is not None:
            raise _HandBack
        return _Field(
            key, node, parent, definition, read, plain, type_.coerce_output_value, None, (),
            non_null, is_list, item_non_null,
        )  # fmt: skip
    if not isinstance(type_, GraphQLObjectType) or node.selection_set is None:
        raise _HandBack  # interfaces and unions: the general path resolves the type
    if type_.is_type_of is not None and not execution.is_strawberry_check(type_.is_type_of):
        raise _HandBack
    selection = _selection(type_, node.selection_set.selections)
    return _Field(
        key, node, parent, definition, read, None, None, type_, selection,
        non_null, is_list, item_non_null,
    )  # fmt: skip


class _Run:
    """One request's execution of a prepared operation."""

    __slots__ = ("context", "prepared", "schema", "variables")

    def __init__(self, schema: GraphQLSchema, prepared: Prepared, variables: Any, context: Any):
        self.schema = schema
        self.prepared = prepared
        self.variables = variables
        self.context = context

    def resolve(self, field: _Field, source: Any, path: Path) -> Any:
        if field.definition is None:
            return field.parent.name
        if field.read is not None:
            try:
                return field.read(source)
            except Exception:
                raise _HandBack from None
        definition = field.definition
        resolve = definition.resolve
        assert resolve is not None  # checked when compiled
        prepared = self.prepared
        info = GraphQLResolveInfo(
            field.node.name.value,
            [field.node],
            definition.type,
            field.parent,
            path,
            self.schema,
            {},
            None,
            prepared.operation,
            self.variables,
            self.context,
            optimized_is_awaitable,  # type: ignore[arg-type]
            None,
            None,  # type: ignore[arg-type]
        )
        try:
            arguments = get_argument_values(definition, field.node, self.variables)
            return resolve(source, info, **arguments)
        except Exception:
            raise _HandBack from None

    def complete(self, field: _Field, value: Any, path: Path) -> Any:
        if value is None or value is Undefined:
            if field.non_null:
                raise _HandBack
            return None
        if isinstance(value, Exception) or optimized_is_awaitable(value):
            raise _HandBack
        if not field.is_list:
            return self._item(field, value, path)
        if type(value) is not list and type(value) is not tuple:
            raise _HandBack
        out: list[Any] = []
        for index, item in enumerate(value):
            if item is None:
                if field.item_non_null:
                    raise _HandBack
                out.append(None)
                continue
            if isinstance(item, Exception) or optimized_is_awaitable(item):
                raise _HandBack
            out.append(self._item(field, item, path.add_key(index, None)))
        return out

    def _item(self, field: _Field, value: Any, path: Path) -> Any:
        leaf = field.leaf
        if leaf is not None:
            try:
                coerced = leaf(value)
            except Exception:
                raise _HandBack from None
            if coerced is None or coerced is Undefined:
                raise _HandBack
            return coerced
        object_type = field.object_type
        assert object_type is not None
        check = object_type.is_type_of
        if check is not None and check(value, None) is not True:  # type: ignore[arg-type]
            raise _HandBack
        result: dict[str, Any] = {}
        typename = object_type.name
        for sub in field.selection:
            plain = sub.plain
            if plain is not None:  # most fields: a plain attribute, a scalar or an enum
                try:
                    completed = execution.complete_plain(plain, plain.read(value))
                except Exception:
                    raise _HandBack from None
                if completed is Undefined:
                    raise _HandBack
                result[sub.key] = completed
                continue
            sub_path = Path(path, sub.key, typename)
            result[sub.key] = self.complete(sub, self.resolve(sub, value, sub_path), sub_path)
        return result
