"""Schema assembly: root types, scalars, and the extensions every request runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as create_alias_validator
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from service.graphql.errors import ErrorCodes
from service.graphql.mutations import Mutation
from service.graphql.queries import Query
from service.graphql.scalars import AWARE_DATETIME, EXACT_DECIMAL
from service.graphql.text_guard import NoUnstorableLiterals, RefuseUnstorableVariables

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


def schema_config() -> StrawberryConfig:
    return StrawberryConfig(
        auto_camel_case=True, scalar_map={datetime: AWARE_DATETIME, Decimal: EXACT_DECIMAL}
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
        # Parsing and validation are pure functions of the document: cache them,
        # uncached validation alone costs about a millisecond a request.
        # The caches live at module level, shared by every per-request instance.
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        # One rule class each per schema: the validation cache keys on the rule
        # classes, and QueryDepthLimiter / MaxAliasesLimiter would make new ones per
        # request (a cache miss each time).
        lambda: AddValidationRules([depth_rule, alias_rule, NoUnstorableLiterals]),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        RefuseUnstorableVariables,
        ErrorCodes,
        *extra_extensions,
    ]


def build_schema(
    *,
    extra_extensions: tuple[ExtensionFactory, ...] = (),
    max_query_depth: int = MAX_QUERY_DEPTH,
) -> strawberry.Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        config=schema_config(),
        extensions=schema_extensions(
            extra_extensions=extra_extensions, max_query_depth=max_query_depth
        ),
    )
