"""Resolvers called as Strawberry's wrapper calls them, without its per-call walk.

For every field with a resolver, Strawberry gives graphql-core a wrapper that, on each
call, builds an ``Info``, walks the field's arguments against their annotations
(``convert_arguments``), asks the resolver which of ``self``, root, parent and info it
takes, and folds an empty chain of field extensions around it. A dashboard page of 50
refund requests calls such wrappers about 250 times (each row's ``order``,
``shipment``, ``events``, ``decision`` and the decision's own resolver fields), and
without them the page takes about a tenth less CPU (18.3 against 15.7–16.5 ms).

:func:`install` replaces that wrapper, on each field where it does nothing else, with a
:class:`Direct` call made from the same parts worked out once: the arguments converted
by ``fast_input``'s plans (the values Strawberry's conversion builds), the resolver's
own parameters filled, an ``Info`` only for a resolver that takes one.

A field keeps Strawberry's wrapper when it has field extensions (permissions, input
mutations), when the schema has exception handlers, when its field class has its own
``get_result``, when an argument's type has no plan, and on the mutation and
subscription roots. ``tests/graphql/test_direct_resolvers.py``
compares both conversions on generated arguments for every replaced field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo
from strawberry.schema import Schema
from strawberry.types.field import StrawberryField

from service.graphql import fast_input


@dataclass(frozen=True, slots=True)
class Direct:
    """One field's resolver with its call worked out: arguments as (GraphQL name,
    Python name, conversion or None), then the resolver's own parameters."""

    field: StrawberryField
    arguments: tuple[tuple[str, str, Callable[[Any], Any] | None], ...]
    pass_source: bool  # the resolver is a method: the source goes in as self
    source_names: tuple[str, ...]  # its root or parent parameters
    info_name: str | None
    info_class: type[Any]

    def convert(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The resolver's keyword arguments for graphql-core's coerced ``arguments``,
        as Strawberry's ``convert_arguments`` builds them."""
        kwargs: dict[str, Any] = {}
        for name, python_name, convert in self.arguments:
            if name in arguments:
                value = arguments[name]
                kwargs[python_name] = value if convert is None or value is None else convert(value)
        return kwargs

    def parameters(
        self, source: Any, info: GraphQLResolveInfo[Any], arguments: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The resolver's positional and keyword arguments, as Strawberry's
        ``get_arguments`` gives them."""
        kwargs = self.convert(arguments) if arguments else {}
        for name in self.source_names:
            kwargs[name] = source
        if self.info_name is not None:
            kwargs[self.info_name] = self.info_class(_raw_info=info, _field=self.field)
        return ((source,) if self.pass_source else ()), kwargs

    def __call__(self, source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        args, kwargs = self.parameters(source, info, arguments)
        resolver = self.field.base_resolver
        assert resolver is not None  # checked when planned
        return resolver(*args, **kwargs)


def direct(schema: Schema, field: GraphQLField) -> Direct | None:
    """The direct call for ``field``, or None when Strawberry's wrapper must stay."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if not isinstance(definition, StrawberryField) or definition.base_resolver is None:
        return None
    if definition.extensions or schema.exception_handlers:
        return None  # Strawberry's wrapper runs them
    if type(definition).get_result is not StrawberryField.get_result:
        return None  # a field class that gets its result its own way
    arguments = []
    for argument in definition.arguments:
        try:
            convert = fast_input.converter(argument.type)
        except fast_input.Unsupported:
            return None
        assert argument.python_name is not None
        name = schema.config.name_converter.from_argument(argument)
        arguments.append((name, argument.python_name, convert))
    resolver = definition.base_resolver
    sources = tuple(
        p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p is not None
    )
    info = resolver.info_parameter
    return Direct(
        definition,
        tuple(arguments),
        resolver.self_parameter is not None,
        sources,
        info.name if info is not None else None,
        schema.config.info_class,
    )


def install(schema: Schema) -> dict[tuple[str, str], Direct]:
    """Give every eligible field of ``schema`` its direct call; the fields replaced,
    by (type name, field name)."""
    graphql_schema = schema._schema
    skipped = {
        root.name
        for root in (graphql_schema.mutation_type, graphql_schema.subscription_type)
        if root is not None
    }
    installed: dict[tuple[str, str], Direct] = {}
    for type_ in graphql_schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name in skipped:
            continue
        if type_.name.startswith("__"):
            continue  # introspection: graphql-core's own resolvers
        for name, field in type_.fields.items():
            call = direct(schema, field)
            if call is not None:
                field.resolve = call
                installed[(type_.name, name)] = call
    return installed
