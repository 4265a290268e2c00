"""Strawberry's OpenTelemetry extension, trimmed to what is worth a span and to what
may leave the process. Imported only when tracing is on."""

from __future__ import annotations

from collections.abc import Callable, Generator
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind
from strawberry.extensions import LifecycleStep, SchemaExtension
from strawberry.extensions.tracing import OpenTelemetryExtension

from service.observability.tracing import TRACED_FIELDS

ROOT_TYPES = frozenset({"Query", "Mutation"})


def _no_arguments(args: dict[str, Any], info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    # Arguments carry buyers' facts (recommend's case, mutation inputs): never exported.
    return {}


class GraphQLTracing(OpenTelemetryExtension):
    """A span for the operation, one per root field and one per decision."""

    def on_operation(self) -> Generator[None, None, None]:
        # Strawberry's version records the whole document, inline literals included.
        name = self.execution_context.operation_name
        span = self._tracer.start_span(
            f"GraphQL Query: {name}" if name else "GraphQL Query", kind=SpanKind.INTERNAL
        )
        span.set_attribute("component", "graphql")
        self._span_holder[LifecycleStep.OPERATION] = span
        yield
        final = self.execution_context.operation_name
        if final:
            span.set_attribute("graphql.operation.name", final)
            if not name:
                span.update_name(f"GraphQL Query: {final}")
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            span.set_attribute("graphql.errors", len(result.errors or []))
        span.end()

    async def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: str,
        **kwargs: Any,
    ) -> Any:
        if info.parent_type.name in ROOT_TYPES or info.field_name in TRACED_FIELDS:
            return await super().resolve(_next, root, info, *args, **kwargs)
        result = _next(root, info, *args, **kwargs)
        return await result if isawaitable(result) else result


def graphql_tracing_extension(provider: TracerProvider) -> Callable[[], SchemaExtension]:
    # Strawberry builds one extension per request from this factory.
    def build() -> SchemaExtension:
        return GraphQLTracing(tracer_provider=provider, arg_filter=_no_arguments)

    return build


__all__ = ["GraphQLTracing", "graphql_tracing_extension"]
