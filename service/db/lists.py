"""``id IN (…)`` that compiles once.

SQLAlchemy renders ``column.in_(ids)`` with one bound parameter per id, expanded at
every execution: a 1,000-id statement is re-rendered each time, which costs the
refresher about a tenth of its time. On PostgreSQL the ids travel as one array
parameter instead (``= ANY ($1::BIGINT[])``) and the statement is rendered once.
SQLite has no arrays and keeps the expanding ``IN``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Dialect,
    Select,
    String,
    Table,
    any_,
    bindparam,
    func,
    literal,
    select,
)
from sqlalchemy import cast as cast_
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator


def ids_in(column: Any, ids: Sequence[int], dialect: str) -> ColumnElement[bool]:
    """``column`` is one of ``ids`` (integer keys), for the named dialect."""
    if dialect == "postgresql":
        return column == any_(literal(list(ids), ARRAY(BigInteger())))  # type: ignore[no-any-return]
    return column.in_(ids)  # type: ignore[no-any-return]


def ids_in_param(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """:func:`ids_in` with the ids left to the bind parameter ``name`` (a list of
    integers given at execution), for a statement built once and run many times."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(BigInteger())))  # type: ignore[no-any-return]
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]


def dialect_of(session: Session | AsyncSession) -> str:
    bind = session.get_bind()
    return str(bind.dialect.name)


def where_text_in(
    stmt: Select[Any], column: Any, values: Sequence[str], dialect: str
) -> Select[Any]:
    """``stmt`` restricted to rows whose text ``column`` is one of ``values``.

    On PostgreSQL the values are joined as ``unnest`` of one array parameter. A long
    ``IN`` list of text parameters let PostgreSQL, on a table not yet analysed (one
    filling during a bulk load), estimate that it matches most rows and scan the whole
    table with the list as a filter: 0.75-1.5 s a batch of 500 at 30,000 orders, which
    made ingest slow down as it went. The unnest is estimated at a few rows, so each
    value is one probe of the column's index."""
    if dialect == "postgresql":
        keys = (
            func.unnest(literal(list(values), ARRAY(String()))).table_valued("key").render_derived()
        )
        return stmt.join(keys, column == keys.c.key)
    return stmt.where(column.in_(values))


def insert_from_arrays(
    table: Table, names: Sequence[str], same: Sequence[str] = ()
) -> postgresql.Insert:
    """PostgreSQL ``INSERT INTO table (names) SELECT * FROM unnest(…)``: one array
    parameter per column, named ``a_<column>``, each cast to the column's database type.
    The columns in ``same`` take one value for every row, as the parameter
    ``c_<column>`` (a batch's shop, its time stamps).

    Rows sent as a multi-row ``VALUES`` are bound and type-processed one parameter at a
    time; as arrays the statement has a parameter per column, whatever the number of
    rows, and is built once by its caller. The arrays carry database values (what the
    columns' type decorators would store), since no decorator sees them. asyncpg
    encodes an array element by element (about 2 µs a time stamp), so a value shared
    by every row is cheaper sent once.
    """
    arrays = [cast_(bindparam(f"a_{name}"), ARRAY(_plain_type(table, name))) for name in names]
    shared = [cast_(bindparam(f"c_{name}"), _plain_type(table, name)) for name in same]
    return _insert_unnest(postgresql.insert(table), table, names, arrays, same, shared)


def _plain_type(table: Table, name: str) -> Any:
    t = table.c[name].type
    return t.impl_instance if isinstance(t, TypeDecorator) else t


def _insert_unnest(
    insert: postgresql.Insert,
    table: Table,
    names: Sequence[str],
    arrays: Sequence[Any],
    same: Sequence[str] = (),
    shared: Sequence[Any] = (),
) -> postgresql.Insert:
    """``insert`` of ``names`` from ``unnest(arrays)``, one array per name, and of
    ``same`` from the ``shared`` values."""
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    return insert.from_select(
        [table.c[name] for name in (*names, *same)],
        select(*[source.c[name] for name in names], *shared),
    )


def orm_insert_from_arrays(
    model: type[Any], names: Sequence[str], rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> postgresql.Insert:
    """:func:`insert_from_arrays` into a mapped class, for ``RETURNING`` its objects,
    with ``rows`` (values by column name) bound as one array per column.

    An ORM ``INSERT`` takes its parameters as rows, not as the statement's own bound
    parameters, so the arrays are bound into the statement here; it still compiles
    once (the cache key leaves the values out). Each value goes through its column's
    type decorator, as a row-by-row insert would send it.
    """
    table = cast(Table, model.__table__)
    arrays = []
    for name in names:
        t = table.c[name].type
        column = [row[name] for row in rows]
        if isinstance(t, TypeDecorator):
            column = [t.process_bind_param(v, dialect) for v in column]
            t = t.impl_instance
        arrays.append(cast_(bindparam(f"a_{name}", column, type_=ARRAY(t)), ARRAY(t)))
    return _insert_unnest(postgresql.insert(model), table, names, arrays)
