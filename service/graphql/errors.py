"""Errors: typed ``userErrors`` for business rejections, coded and masked GraphQL errors
for everything else."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import Enum

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("service.graphql")


@strawberry.enum(description="Why a mutation input was rejected.")
class UserErrorCode(Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    TOO_MANY = "TOO_MANY"
    INCONSISTENT_FACTS = "INCONSISTENT_FACTS"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE = "DUPLICATE"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"  # lost a race with a concurrent write; retrying may succeed


@strawberry.type(description="A rejected input: which field, why (as a code) and a message.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["orders", "2", "amount"].'
    )
    code: UserErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Human-readable explanation.")


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
            return _with_code(error, code, error.message)
        if original is None:
            return _with_code(error, "BAD_USER_INPUT", error.message)
        if isinstance(original, ClientError):
            return _with_code(error, original.code, error.message)
        if isinstance(original, GraphQLError):  # variable coercion and the like
            return _with_code(error, "BAD_USER_INPUT", error.message)
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
