"""One schema extension for what every document goes through before it runs: the
token limit, the extra validation rules, the parse and validation caches, and the
refusal of variables holding text no database can store (see text_guard).

Strawberry builds every extension anew per request and walks each one's hooks at
every stage; four stock extensions (ParserCache, ValidationCache,
AddValidationRules, MaxTokensLimiter) doing one small thing each cost more than
the decision ``recommend`` returns. This one does the same four things with the
same module-level caches' behaviour: a document text is parsed once and a parsed
document validated once per rule set, within the caches' bounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.language.parser import parse
from strawberry.extensions import SchemaExtension

from service.graphql.text_guard import unstorable_variable

CACHE_SIZE = 512

# Bounded, so unique query texts cannot grow memory without limit.
_parse = lru_cache(maxsize=CACHE_SIZE)(parse)


@lru_cache(maxsize=1)
def _validate_cached() -> Any:
    # Imported late: strawberry.schema.schema imports the extensions package.
    from strawberry.schema.schema import validate_document

    return lru_cache(maxsize=CACHE_SIZE)(validate_document)


class DocumentRules(SchemaExtension):
    def __init__(self, rules: tuple[type[ASTValidationRule], ...], max_tokens: int) -> None:
        self.rules = rules
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        context.validation_rules = context.validation_rules + self.rules
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = _parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = _validate_cached()(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.variables:
            error = unstorable_variable(context.variables)
            if error is not None:
                # A result set before execution replaces it: no resolver runs.
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield
