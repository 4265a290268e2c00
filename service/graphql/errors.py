"""Errors: typed ``userErrors`` for business rejections, coded and masked GraphQL errors
for everything else."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import Enum

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from service.db.availability import is_unavailable
from service.graphql.described import described_enum
from service.graphql.refusal_codes import RequestErrorCode
from service.http_errors import RequestRefused

log = logging.getLogger("service.graphql")


class UserErrorCode(Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    TOO_MANY = "TOO_MANY"
    INCONSISTENT_FACTS = "INCONSISTENT_FACTS"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE = "DUPLICATE"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    CLAIMED_BY_OTHER = "CLAIMED_BY_OTHER"


described_enum(
    UserErrorCode,
    "Why a mutation input was rejected. Nothing of a rejected input is stored.",
    {
        "INVALID": "The value is malformed or out of range (the message says which range);"
        " fix it and send again.",
        "REQUIRED": "A value that this combination of inputs needs is missing, e.g. the"
        " refund time when the status becomes REFUNDED.",
        "NOT_FOUND": "The id or number names nothing in the caller's shop: it does not"
        " exist, belongs to another shop, or is an id of another type.",
        "TOO_MANY": "The list is longer than one call accepts (the message gives the limit);"
        " split it over several calls.",
        "INCONSISTENT_FACTS": "The facts contradict each other or what is already stored,"
        " e.g. a pickup before the order was confirmed.",
        "INVALID_TRANSITION": "The refund request cannot move from its current status to"
        " the one asked for; the message lists the allowed ones.",
        "DUPLICATE": "The same key appears twice in one call, or a refund request with this"
        " number already exists.",
        "FORBIDDEN": "The token's role may not call this mutation (field is null).",
        "CONFLICT": "A concurrent write to the same record won twice in a row; nothing was"
        " stored, and sending the same input again may succeed.",
        "CLAIMED_BY_OTHER": "Another agent holds a live claim on the case; the message names"
        " the holder and when the lease ends.",
    },
)


@strawberry.type(description="A rejected input: which field, why (as a code) and a message.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, argument first, list indexes as"
        ' strings, e.g. ["input", "orders", "2", "amount"]; null when no single field is at'
        " fault (FORBIDDEN, CONFLICT)."
    )
    code: UserErrorCode = strawberry.field(description="Why, as a stable code to branch on.")
    message: str = strawberry.field(
        description="What is wrong, in English, for a person; the wording may change."
    )


class UserInputError(Exception):
    """Raised inside a mutation to reject its input; nothing it wrote is kept."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: list[str] | None, code: UserErrorCode, message: str) -> UserInputError:
        return cls([UserError(field=field, code=code, message=message)])


class ClientError(Exception):
    """An error in a query's arguments that the client must fix (shown as is)."""

    code = "BAD_USER_INPUT"


class PermissionDenied(ClientError):
    code = "FORBIDDEN"


DATABASE_UNAVAILABLE = RequestErrorCode.DATABASE_UNAVAILABLE.value
UNAVAILABLE_MESSAGE = "the database is unavailable for a moment; nothing was written, retry"
UNAVAILABLE_RETRY_AFTER_S = 1


def database_unavailable() -> RequestRefused:
    """The 503 answer when the database cannot be reached (retryable)."""
    return RequestRefused(
        503,
        UNAVAILABLE_MESSAGE,
        code=DATABASE_UNAVAILABLE,
        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
    )


MASKED_MESSAGE = "Internal error. It has been logged; quote the request id when reporting it."


class ErrorCodes(SchemaExtension):
    """Every error leaves with ``extensions.code``; unexpected exceptions are logged
    and replaced by a generic message so no internals reach the client."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        # Any error voids the request's transaction (see GraphQLView).
        context = self.execution_context.context
        if hasattr(context, "failed"):
            context.failed = True
        result.errors = [self._shape(error) for error in errors]

    def _shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if error.path is None:
            # Raised before any resolver ran: document validation, or a literal or a
            # variable that its scalar refused (the scalar's reason is in the message).
            code = "GRAPHQL_VALIDATION_FAILED" if original is None else "BAD_USER_INPUT"
            code = (error.extensions or {}).get("code", code)
            return _with_code(error, code, error.message)
        if original is None:
            return _with_code(error, "BAD_USER_INPUT", error.message)
        if isinstance(original, ClientError):
            return _with_code(error, original.code, error.message)
        if isinstance(original, GraphQLError):  # variable coercion and the like
            return _with_code(error, "BAD_USER_INPUT", error.message)
        if is_unavailable(original):
            log.warning("database unavailable under a resolver: %s", type(original).__name__)
            return _with_code(error, DATABASE_UNAVAILABLE, UNAVAILABLE_MESSAGE)
        log.error(
            "unexpected error in GraphQL resolver at %s",
            ".".join(str(p) for p in error.path or ()),
            exc_info=original,
        )
        return _with_code(error, "INTERNAL_SERVER_ERROR", MASKED_MESSAGE)


def _with_code(error: GraphQLError, code: str, message: str) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), "code": code},
    )
