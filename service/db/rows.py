"""Plain rows standing in for mapped objects.

Bulk paths read rows as Core rows, not ORM objects: several times faster to load, and
never a stale copy from the session's identity map. A row labelled with the attribute
names answers the same attributes as the object, so code that only reads (the facts
builders, the checks) takes either.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect

_COLUMNS: dict[type[Any], list[Any]] = {}
_CORE: dict[type[Any], list[Any]] = {}


def columns(model: type[Any]) -> list[Any]:
    """Every mapped column of ``model``, labelled with its attribute name."""
    cols = _COLUMNS.get(model)
    if cols is None:
        cols = _COLUMNS[model] = [getattr(model, a.key) for a in inspect(model).column_attrs]
    return cols


def core_columns(model: type[Any]) -> list[Any]:
    """:func:`columns` as plain table columns: a statement of these runs as Core, with
    none of the ORM's per-row loading (a sixth of the refresher's time)."""
    cols = _CORE.get(model)
    if cols is None:
        cols = _CORE[model] = [a.columns[0].label(a.key) for a in inspect(model).column_attrs]
    return cols


def joined_columns(model: type[Any], prefix: str) -> list[Any]:
    """:func:`core_columns` labelled ``<prefix>__<attribute>``, for a model joined to
    another's read."""
    return [c.element.label(f"{prefix}__{c.key}") for c in core_columns(model)]


def joined_part(row: Any, model: type[Any]) -> SimpleNamespace:
    """The last columns of ``row``, those of ``model`` joined to it (in
    :func:`core_columns` order), as an object with the model's attribute names."""
    keys = _keys(model)
    return SimpleNamespace(**dict(zip(keys, row[len(row) - len(keys) :], strict=True)))


_KEYS: dict[type[Any], list[str]] = {}


def _keys(model: type[Any]) -> list[str]:
    keys = _KEYS.get(model)
    if keys is None:
        keys = _KEYS[model] = [c.key for c in core_columns(model)]
    return keys
