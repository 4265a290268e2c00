"""The per-class hook lookup runs every kind of extension hook as Strawberry does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

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


_PATCHED = ("get_hook", "__aenter__", "__aexit__")


def _sync_only(log: list[str], fail: str) -> list[type[SchemaExtension]]:
    """Synchronous hooks only (the path without an exit stack); ``fail`` names the
    step that raises: ``enter``, ``exit`` or ``suppress`` (an outer hook swallows)."""

    class Outer(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            log.append("outer:enter")
            try:
                yield
            except Exception as exc:
                log.append(f"outer saw {exc!r}")
                if fail != "suppress":
                    raise
            log.append("outer:exit")

    class Inner(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            if fail == "enter":
                raise RuntimeError("inner enter")
            log.append("inner:enter")
            yield
            log.append("inner:exit")
            if fail in ("exit", "suppress"):
                raise RuntimeError("inner exit")

    return [Outer, Inner]


async def _run(
    query: str, *, fast: bool, extensions: Callable[[list[str]], list[type[SchemaExtension]]]
) -> tuple[list[str], tuple[object, list[str]]]:
    managers = extension_hooks._MANAGERS
    saved = [{name: vars(m).get(name) for name in _PATCHED} for m in managers]
    if fast:
        extension_hooks.install()
    else:
        for manager in managers:
            for name in _PATCHED:
                setattr(manager, name, getattr(ExtensionContextManagerBase, name))
    try:
        log: list[str] = []
        schema = strawberry.Schema(query=Query, extensions=extensions(log))
        result = await schema.execute(query)
        return log, (result.data, [e.message for e in result.errors or []])
    finally:
        for restored, methods in zip(managers, saved, strict=True):
            for name, method in methods.items():
                setattr(restored, name, method or getattr(ExtensionContextManagerBase, name))


@pytest.mark.parametrize("query", ["{ hello }", "{ broken }", "{ nope }", "{ hello"])
async def test_hooks_run_in_the_same_order_with_the_same_result(query: str) -> None:
    fast = await _run(query, fast=True, extensions=_extensions)
    slow = await _run(query, fast=False, extensions=_extensions)
    assert fast == slow
    log, _ = fast
    # Every kind of hook ran: generators, async generators, plain and coroutine hooks.
    assert "operation:enter" in log and "async operation:enter" in log


@pytest.mark.parametrize("fail", ["none", "enter", "exit", "suppress"])
@pytest.mark.parametrize("query", ["{ hello }", "{ broken }"])
async def test_synchronous_hooks_enter_and_exit_as_an_exit_stack_would(
    query: str, fail: str
) -> None:
    def extensions(log: list[str]) -> list[type[SchemaExtension]]:
        return _sync_only(log, fail)

    fast = await _run(query, fast=True, extensions=extensions)
    slow = await _run(query, fast=False, extensions=extensions)
    assert fast == slow
    log, _ = fast
    if fail == "exit":
        assert "outer saw RuntimeError('inner exit')" in log and "outer:exit" not in log
    if fail == "suppress":
        assert log[-1] == "outer:exit"


async def test_a_generator_hook_wraps_the_stage_it_names() -> None:
    log, (data, errors) = await _run("{ hello }", fast=True, extensions=_extensions)
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
