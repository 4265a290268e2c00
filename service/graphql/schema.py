"""Schema assembly: root types, scalars, and the extensions every request runs."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as create_alias_validator
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from service.graphql import fast_input
from service.graphql.document_rules import DocumentRules
from service.graphql.errors import ErrorCodes
from service.graphql.mutations import Mutation
from service.graphql.queries import Query
from service.graphql.scalars import AWARE_DATETIME
from service.graphql.types.inputs import CaseInput

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
    # recommend's nested CaseInput is converted by a plan made once (see fast_input).
    fast_input.install(CaseInput)
    return Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True, scalar_map={datetime: AWARE_DATETIME}),
        extensions=[
            # Token limit, extra rules, parse and validation caches: one extension
            # (see document_rules). Uncached validation alone costs about a
            # millisecond a request. The rule classes are made once per schema: the
            # validation cache keys on them.
            lambda: DocumentRules((depth_rule, alias_rule), MAX_TOKENS),
            ErrorCodes,
            *extra_extensions,
        ],
    )
