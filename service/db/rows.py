"""Plain rows standing in for mapped objects.

Bulk paths read rows as Core rows, not ORM objects: several times faster to load, and
never a stale copy from the session's identity map. A row labelled with the attribute
names answers the same attributes as the object, so code that only reads (the facts
builders, the checks) takes either.
"""

from __future__ import annotations

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
