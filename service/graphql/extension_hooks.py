"""Schema-extension hooks looked up once per extension class, not once per request.

For every operation Strawberry opens four context managers (operation, parsing,
validation, execution), and each one asks every extension what kind of function its
hook is (``inspect.isgeneratorfunction`` and the like) and wraps a generator hook with
``contextlib.contextmanager``, which builds a new function and copies the hook's
metadata into it (``functools.wraps``). With this schema's three extensions that is
twelve lookups and six wrappers a request: about 4 % of a ``recommend``.

:func:`install` gives those four context managers a ``get_hook`` that classifies a
hook once per (extension class, hook name) and makes a generator hook's context
manager directly, as ``contextmanager`` would (the generator called with the
extension). Any other hook (a coroutine, an async generator, a plain callable) keeps
Strawberry's own wrapping. The stream-result hook, which passes an argument, is left
alone.

When every hook of a stage is synchronous (this schema's are), the stage also enters
and exits them without an ``AsyncExitStack``, exactly as the stack would: in order on
entry, in reverse on exit, each exit seeing the exception the previous one left, and
nothing suppressed (Strawberry's ``__aexit__`` does not pass the stack's suppression
on either).
"""

from __future__ import annotations

import inspect
from contextlib import _GeneratorContextManager
from functools import partial
from types import TracebackType
from typing import Any, cast

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)

_MANAGERS = (
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    ExecutingContextManager,
)
_strawberry_get_hook = ExtensionContextManagerBase.get_hook
_strawberry_aenter = ExtensionContextManagerBase.__aenter__
_strawberry_aexit = ExtensionContextManagerBase.__aexit__

_NONE = "none"  # the extension does not override the hook
_GENERATOR = "generator"
_OTHER = "other"  # Strawberry wraps it, as before
_kinds: dict[tuple[type[Any], str], str] = {}


def _kind(extension_type: type[Any], name: str) -> str:
    hook = getattr(extension_type, name)
    if hook is getattr(SchemaExtension, name):
        return _NONE
    return _GENERATOR if inspect.isgeneratorfunction(hook) else _OTHER


def get_hook(self: ExtensionContextManagerBase, extension: SchemaExtension) -> WrappedHook | None:
    """Strawberry's ``get_hook``, with the hook's kind remembered per class."""
    extension_type = type(extension)
    name = self.HOOK_NAME
    key = (extension_type, name)
    kind = _kinds.get(key)
    if kind is None:
        kind = _kinds[key] = _kind(extension_type, name)
    if kind is _NONE:
        return None
    if kind is _GENERATOR:
        # What contextmanager(MethodType(hook, extension))() builds, without the wrapper.
        hook = partial(_GeneratorContextManager, getattr(extension_type, name), (extension,), {})
        return WrappedHook(extension=extension, hook=hook, is_async=False)
    return _strawberry_get_hook(self, extension)


class _Entered(list[Any]):
    """The context managers a stage entered without an exit stack, in order."""


async def aenter(self: ExtensionContextManagerBase) -> None:
    """Enter the stage's hooks: directly when all are synchronous, else as Strawberry."""
    hooks = self.hooks
    for hook in hooks:
        if hook.is_async:
            await _strawberry_aenter(self)
            return
    entered = _Entered()
    # Kept where the synchronous path keeps its stack, which this path does not use. As
    # with the stack, a hook that fails to enter leaves the ones before it entered.
    self.exit_stack = cast(Any, entered)
    for hook in hooks:
        manager = hook.hook()
        manager.__enter__()  # type: ignore[union-attr]
        entered.append(manager)


async def aexit(
    self: ExtensionContextManagerBase,
    exc_type: type[BaseException] | None,
    exc_val: BaseException | None,
    exc_tb: TracebackType | None,
) -> None:
    """Exit the hooks :func:`aenter` entered, as ``ExitStack.__exit__`` would."""
    entered = getattr(self, "exit_stack", None)
    if not isinstance(entered, _Entered):
        await _strawberry_aexit(self, exc_type, exc_val, exc_tb)
        return
    del self.exit_stack
    pending: BaseException | None = None
    for manager in reversed(entered):
        try:
            if manager.__exit__(exc_type, exc_val, exc_tb):
                # Suppressed for the hooks still to exit; the caller sees it regardless.
                pending = None
                exc_type = exc_val = exc_tb = None
        except BaseException as raised:  # the next hook out sees it, as in a stack
            pending = raised
            exc_type, exc_val, exc_tb = type(raised), raised, raised.__traceback__
    if pending is not None:
        raise pending


def install() -> None:
    """Have the four per-operation context managers use :func:`get_hook`,
    :func:`aenter` and :func:`aexit` (idempotent)."""
    for manager in _MANAGERS:
        manager.get_hook = get_hook  # type: ignore[method-assign]
        manager.__aenter__ = aenter  # type: ignore[method-assign]
        manager.__aexit__ = aexit  # type: ignore[method-assign]
