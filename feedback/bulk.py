"""Rows written a batch at a time: one statement however many rows.

On PostgreSQL the rows travel as one array per column, unpacked by ``unnest``: a statement with
one parameter a column, parsed once. An executemany would send one statement per row (psycopg's
pipeline) and a VALUES or IN list one parameter per value, which psycopg parses again on every
call (tens of milliseconds for 1,000 rows). Elsewhere (SQLite) an executemany is already one
prepared statement that the driver runs in a loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, any_, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.schema import ColumnDefault
from sqlalchemy.sql.selectable import TableValuedAlias

from feedback.extensions import db


def on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def unnest(columns: Mapping[str, tuple[Any, Sequence[Any]]]) -> TableValuedAlias:
    """Rows as a derived table made of one array a column (PostgreSQL): ``{name: (type,
    values)}``. Each value still goes through its type's bind processing (encryption, enums)."""
    arrays = [
        bindparam(name, list(values), type_=ARRAY(kind)) for name, (kind, values) in columns.items()
    ]
    return func.unnest(*arrays).table_valued(*columns).render_derived()


def rows_of(table: Table, rows: Sequence[Mapping[str, Any]]) -> Select[Any]:
    """``SELECT * FROM unnest(...)``: `rows` (dicts with the same keys, columns of `table`) as
    the source of an ``INSERT ... SELECT`` (PostgreSQL)."""
    names = list(rows[0])
    return select(
        unnest({name: (table.c[name].type, [row[name] for row in rows]) for name in names})
    )


def among(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values`` as one array parameter on PostgreSQL (``= ANY(:values)``): the
    statement stays the same whatever the number of values, where an IN list sends and parses
    one parameter a value."""
    wanted = sorted(set(values))
    if on_postgres():
        return column == any_(bindparam(None, wanted, type_=ARRAY(column.type)))
    return column.in_(wanted)


def insert_rows(table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys) into `table` in one statement."""
    if not rows:
        return
    if on_postgres():
        _copy(table, rows)
    else:
        db.session.execute(insert(table), list(rows))


def _copy(table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """PostgreSQL's COPY, in the session's transaction: the fastest way in for new rows (no
    conflict to resolve). Each value goes through its column type's bind processing and the
    columns left out get their Python-side defaults, as an INSERT would."""
    connection = db.session.connection()
    dialect = connection.dialect
    defaults = _defaults(table, rows[0])
    names = [*rows[0], *defaults]
    processors = [
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
    ]
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = {**row, **{name: make() for name, make in defaults.items()}}
            copy.write_row(
                [values[n] if process is None else process(values[n]) for n, process in processors]
            )


def _defaults(table: Table, row: Mapping[str, Any]) -> dict[str, Callable[[], Any]]:
    """The columns `row` leaves out that have a default made in Python (an INSERT applies it;
    COPY does not): how to make each one's value."""
    makers: dict[str, Callable[[], Any]] = {}
    for column in table.c:
        default = column.default
        if column.name in row or not isinstance(default, ColumnDefault):
            continue
        if default.is_callable:
            makers[column.name] = partial(default.arg, None)
        elif not default.is_clause_element:
            makers[column.name] = partial(_constant, default.arg)
    return makers


def _constant(value: Any) -> Any:
    return value
