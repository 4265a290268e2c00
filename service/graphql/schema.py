"""Schema assembly: root types, scalars, and the extensions every request runs."""

from __future__ import annotations

from datetime import datetime

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
from service.graphql.refusal_codes import RequestErrorCode
from service.graphql.scalars import AWARE_DATETIME

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


def build_schema(
    *,
    extra_extensions: tuple[type[SchemaExtension], ...] = (),
    max_query_depth: int = MAX_QUERY_DEPTH,
) -> strawberry.Schema:
    depth_rule = create_validator(max_query_depth, should_ignore=None)
    alias_rule = create_alias_validator(MAX_ALIASES)
    return Schema(
        query=Query,
        mutation=Mutation,
        # Not reachable from any field: documents the refusal codes in the SDL.
        types=[RequestErrorCode],
        config=StrawberryConfig(auto_camel_case=True, scalar_map={datetime: AWARE_DATETIME}),
        extensions=[
            # Parsing and validation are pure functions of the document: cache them,
            # uncached validation alone costs about a millisecond a request.
            # The caches live at module level, shared by every per-request instance.
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            # One rule class each per schema: the validation cache keys on the rule
            # classes, and QueryDepthLimiter / MaxAliasesLimiter would make new ones per
            # request (a cache miss each time).
            lambda: AddValidationRules([depth_rule, alias_rule]),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            ErrorCodes,
            *extra_extensions,
        ],
    )
