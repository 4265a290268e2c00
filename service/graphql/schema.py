"""Schema assembly: root types, scalars, and the extensions every request runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as create_alias_validator
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types import ExecutionContext

from service.graphql import (
    coercion,
    direct_resolvers,
    enum_tables,
    extension_hooks,
    fast_input,
)
from service.graphql.document_rules import DocumentRules
from service.graphql.errors import ErrorCodes
from service.graphql.execution import PlainFieldExecutionContext
from service.graphql.mutations import Mutation
from service.graphql.mutations.append_tracking_events import AppendTrackingEventsInput
from service.graphql.mutations.record_actions import RecordActionsInput
from service.graphql.mutations.upsert_orders import UpsertOrdersInput
from service.graphql.mutations.upsert_shipments import UpsertShipmentsInput
from service.graphql.queries import Query
from service.graphql.refusal_codes import RequestErrorCode
from service.graphql.scalars import AWARE_DATETIME, EXACT_DECIMAL
from service.graphql.subscriptions import Subscription
from service.graphql.text_guard import NoUnstorableLiterals
from service.graphql.types.inputs import CaseInput

# A schema extension class, or a factory Strawberry calls once per request.
ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]

MAX_QUERY_DEPTH = 12
# Bounds on one document, so a single request cannot ask for unbounded work by
# repeating a root field under many aliases.
MAX_ALIASES = 30
MAX_TOKENS = 5000


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Client errors are the client's business and ErrorCodes logs the unexpected
        # ones with their traceback; Strawberry's default would log every error.
        return None


class RememberedNames(NameConverter):
    """Strawberry's names, each Python name converted once. Strawberry asks for the
    GraphQL name of every argument of every field a request runs (``convert_arguments``)
    and camel-cases it anew each time, about a microsecond each: a page of 50 rows asks
    a few hundred times. The schema's names are a bounded set."""

    def __init__(self, auto_camel_case: bool = True) -> None:
        super().__init__(auto_camel_case)
        self._names: dict[tuple[bool, str], str] = {}

    def apply_naming_config(self, name: str) -> str:
        key = (self.auto_camel_case, name)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = super().apply_naming_config(name)
        return found


def schema_config() -> StrawberryConfig:
    return StrawberryConfig(
        auto_camel_case=True,
        name_converter=RememberedNames(),
        scalar_map={datetime: AWARE_DATETIME, Decimal: EXACT_DECIMAL},
    )


def schema_extensions(
    *,
    extra_extensions: tuple[ExtensionFactory, ...] = (),
    max_query_depth: int = MAX_QUERY_DEPTH,
) -> list[ExtensionFactory]:
    """The extensions of /graphql, shared by the federation subgraph at /subgraph."""
    depth_rule = create_validator(max_query_depth, should_ignore=None)
    alias_rule = create_alias_validator(MAX_ALIASES)
    return [
        # Token limit, extra rules, parse and validation caches, and the refusal of
        # unstorable text in variables: one extension (see document_rules). Uncached
        # validation alone costs about a millisecond a request. The rule classes are
        # made once per schema: the validation cache keys on them.
        lambda: DocumentRules((depth_rule, alias_rule, NoUnstorableLiterals), MAX_TOKENS),
        ErrorCodes,
        *extra_extensions,
    ]


def build_schema(
    *,
    extra_extensions: tuple[ExtensionFactory, ...] = (),
    max_query_depth: int = MAX_QUERY_DEPTH,
) -> strawberry.Schema:
    # Variables are coerced by plans made once per input type (see coercion).
    coercion.install()
    # Extension hooks are looked up once per extension class (see extension_hooks).
    extension_hooks.install()
    # recommend's nested CaseInput is converted by a plan made once (see fast_input).
    fast_input.install(CaseInput)
    # So are the ingest batches: Strawberry's walk cost ~0.7 ms per order of 500.
    batches = (
        UpsertOrdersInput,
        UpsertShipmentsInput,
        AppendTrackingEventsInput,
        RecordActionsInput,
    )
    for batch in batches:
        fast_input.install(batch)
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Not reachable from any field: documents the refusal codes in the SDL.
        types=[RequestErrorCode],
        config=schema_config(),
        extensions=schema_extensions(
            extra_extensions=extra_extensions, max_query_depth=max_query_depth
        ),
        execution_context_class=PlainFieldExecutionContext,
    )
    # Resolver fields are called without Strawberry's per-call walk (see direct_resolvers).
    direct_resolvers.install(schema)
    # Enum values are found in tables, not by Strawberry's scan (see enum_tables).
    enum_tables.install(schema._schema)
    return schema
