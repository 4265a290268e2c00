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
"""

from __future__ import annotations

import inspect
from contextlib import _GeneratorContextManager
from functools import partial
from typing import Any

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


def install() -> None:
    """Have the four per-operation context managers use :func:`get_hook` (idempotent)."""
    for manager in _MANAGERS:
        manager.get_hook = get_hook  # type: ignore[method-assign]
