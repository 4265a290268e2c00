"""One schema extension for what every document goes through before it runs: the
token limit, the extra validation rules, the parse and validation caches, and the
refusal of variables holding text no database can store (see text_guard).

Strawberry builds every extension anew per request and walks each one's hooks at
every stage; four stock extensions (ParserCache, ValidationCache,
AddValidationRules, MaxTokensLimiter) doing one small thing each cost more than
the decision ``recommend`` returns. This one does the same four things with the
same module-level caches' behaviour: a document text is parsed once and a parsed
document validated once per rule set, within the caches' bounds (validation results
are found by the parsed document's identity; see ``_validate``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLSchema
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.language.parser import parse
from strawberry.extensions import SchemaExtension

from service.graphql.text_guard import unstorable_variable

CACHE_SIZE = 512

# Bounded, so unique query texts cannot grow memory without limit.
_parse = lru_cache(maxsize=CACHE_SIZE)(parse)


@lru_cache(maxsize=1)
def _validate_document() -> Any:
    # Imported late: strawberry.schema.schema imports the extensions package.
    from strawberry.schema.schema import validate_document

    return validate_document


# Validation results by the identity of the parsed document, not its value: a repeated
# query text comes back from the parse cache as the same object, and hashing the
# document by value (what lru_cache did) walked its whole tree on every request. Each
# entry holds its document, so the id cannot be another document's while it is kept.
_validated: OrderedDict[int, tuple[DocumentNode, GraphQLSchema, tuple[Any, ...], Any]] = (
    OrderedDict()
)


def parsed(query: str, max_tokens: int) -> DocumentNode:
    """The parsed document, from the cache the general path fills (raises GraphQLError)."""
    return _parse(query, max_tokens=max_tokens)


def validated(schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...]) -> Any:
    """The document's validation errors under ``rules`` (and Strawberry's own two), from
    the cache the general path fills."""
    return _validate(schema, document, rules)


def _validate(schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...]) -> Any:
    key = id(document)
    hit = _validated.get(key)
    if hit is not None and hit[0] is document and hit[1] is schema and hit[2] == rules:
        _validated.move_to_end(key)
        return hit[3]
    errors = _validate_document()(schema, document, rules)
    _validated[key] = (document, schema, rules, errors)
    if len(_validated) > CACHE_SIZE:
        _validated.popitem(last=False)
    return errors


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
        document = context.graphql_document
        assert document is not None  # validation runs only once parsing succeeded
        context.pre_execution_errors = _validate(
            context.schema._schema, document, context.validation_rules
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
