"""Strawberry extension telling the request middleware the operation name and outcome."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from service.observability.request_info import Outcome, RequestInfo, current_request_info

INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"


class RequestInfoExtension(SchemaExtension):
    """Fill ``operation`` and ``outcome`` of the current :class:`RequestInfo`.

    Outcome: ``ok`` without errors; ``user_error`` when every error is the caller's
    (syntax, validation, a :class:`GraphQLError` or a domain error with a ``code``);
    ``error`` when a resolver raised anything else. Add it to the schema's
    ``extensions`` list, before or after an error-shaping extension.
    """

    def on_operation(self) -> Iterator[None]:
        info = _request_info(self.execution_context.context)
        if info is not None:
            info.operation = _safe_operation_name(self)
        yield
        if info is None:
            return
        info.operation = _safe_operation_name(self) or info.operation
        info.outcome = _classify(self.execution_context.pre_execution_errors, self._errors())

    def _errors(self) -> list[GraphQLError]:
        result = self.execution_context.result
        return list(result.errors or []) if result is not None else []


def note_answered(context: Any, operation_name: str | None) -> None:
    """What this extension records for an operation answered without errors, for one
    answered without Strawberry's execution (a prepared operation, see
    service.graphql.prepared)."""
    info = _request_info(context)
    if info is not None:
        info.operation = operation_name if isinstance(operation_name, str) else info.operation
        info.outcome = "ok"


def _safe_operation_name(extension: SchemaExtension) -> str | None:
    try:
        name = extension.execution_context.operation_name
    except Exception:  # an unparsable document has no name
        return None
    # The name may come straight from the request body, typed as the client pleased.
    return name if isinstance(name, str) else None


def _classify(
    pre_execution_errors: list[GraphQLError] | None, errors: list[GraphQLError]
) -> Outcome:
    if any(_is_unexpected(error) for error in errors):
        return "error"
    if pre_execution_errors or errors:
        return "user_error"
    return "ok"


def _is_unexpected(error: GraphQLError) -> bool:
    """True for a bug (a resolver raised something unplanned), False for a caller error.

    Works on errors before or after an error-shaping extension rewrote them: a shaped
    error carries ``extensions.code`` (``INTERNAL_SERVER_ERROR`` marks a bug); a raw
    one keeps ``original_error``, and domain errors that declare a string ``code``
    class attribute (the API's ClientError family) count as the caller's.
    """
    code = (error.extensions or {}).get("code")
    if code is not None:
        return bool(code == INTERNAL_ERROR_CODE)
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not isinstance(getattr(type(original), "code", None), str)


def _request_info(context: Any) -> RequestInfo | None:
    """The RequestInfo of this request: from the context's request, else the contextvar."""
    request = (
        context.get("request") if isinstance(context, dict) else getattr(context, "request", None)
    )
    state = getattr(request, "scope", {}).get("state") if request is not None else None
    if isinstance(state, dict):
        info = state.get("request_info")
        if isinstance(info, RequestInfo):
            return info
    return current_request_info.get()
