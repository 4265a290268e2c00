"""The per-class hook lookup runs every kind of extension hook as Strawberry does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import ExtensionContextManagerBase, ParsingContextManager

from service.graphql import extension_hooks


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("boom")


def _extensions(log: list[str]) -> list[type[SchemaExtension]]:
    class Generators(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            log.append("operation:enter")
            yield
            errors = self.execution_context.result.errors  # type: ignore[union-attr]
            log.append(f"operation:exit errors={len(errors or [])}")

        def on_parse(self) -> Iterator[None]:
            log.append("parse:enter")
            yield
            log.append("parse:exit")

        def on_execute(self) -> Iterator[None]:
            log.append("execute:enter")
            yield
            log.append("execute:exit")

    class AsyncGenerator(SchemaExtension):
        async def on_operation(self) -> AsyncIterator[None]:
            log.append("async operation:enter")
            yield
            log.append("async operation:exit")

    class Plain(SchemaExtension):
        def on_validate(self) -> None:  # type: ignore[override]
            log.append("plain validate")

    class Coroutine(SchemaExtension):
        async def on_execute(self) -> None:  # type: ignore[override]
            log.append("coroutine execute")

    return [Generators, AsyncGenerator, Plain, Coroutine]


async def _run(query: str, *, fast: bool) -> tuple[list[str], tuple[object, list[str]]]:
    managers = extension_hooks._MANAGERS
    saved = [vars(m).get("get_hook") for m in managers]
    if fast:
        extension_hooks.install()
    else:
        for manager in managers:
            manager.get_hook = ExtensionContextManagerBase.get_hook  # type: ignore[method-assign]
    try:
        log: list[str] = []
        schema = strawberry.Schema(query=Query, extensions=_extensions(log))
        result = await schema.execute(query)
        return log, (result.data, [e.message for e in result.errors or []])
    finally:
        for restored, hook in zip(managers, saved, strict=True):
            restored.get_hook = hook or ExtensionContextManagerBase.get_hook  # type: ignore[method-assign]


@pytest.mark.parametrize("query", ["{ hello }", "{ broken }", "{ nope }", "{ hello"])
async def test_hooks_run_in_the_same_order_with_the_same_result(query: str) -> None:
    fast = await _run(query, fast=True)
    slow = await _run(query, fast=False)
    assert fast == slow
    log, _ = fast
    # Every kind of hook ran: generators, async generators, plain and coroutine hooks.
    assert "operation:enter" in log and "async operation:enter" in log


async def test_a_generator_hook_wraps_the_stage_it_names() -> None:
    log, (data, errors) = await _run("{ hello }", fast=True)
    assert data == {"hello": "world"} and errors == []
    assert log.index("parse:enter") < log.index("parse:exit") < log.index("execute:enter")
    assert log.index("execute:enter") < log.index("coroutine execute") < log.index("execute:exit")
    assert log[-1] == "operation:exit errors=0"


def test_the_hook_kind_is_remembered_per_class() -> None:
    class Once(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            yield

    extension_hooks._kinds.pop((Once, "on_parse"), None)
    manager = ParsingContextManager([])
    first = extension_hooks.get_hook(manager, Once(execution_context=None))
    assert first is not None and not first.is_async
    assert extension_hooks._kinds[(Once, "on_parse")] == extension_hooks._GENERATOR
    assert extension_hooks.get_hook(manager, SchemaExtension(execution_context=None)) is None
