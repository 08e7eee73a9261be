"""Rows written a batch at a time: one statement however many rows.

On PostgreSQL the rows travel as one JSON parameter unpacked by ``json_to_recordset``: a
statement with one parameter, parsed once, whose value the C JSON encoder writes in a few
milliseconds for 1,000 rows. (psycopg adapts an array parameter element by element in Python,
three times slower in CPU; an executemany sends one statement per row, and a VALUES or IN list
one parameter per value, which psycopg parses again on every call.) Elsewhere (SQLite) an
executemany is already one prepared statement that the driver runs in a loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    DateTime,
    Select,
    Table,
    Text,
    TypeDecorator,
    bindparam,
    cast,
    func,
    insert,
    select,
)
from sqlalchemy import (
    column as column_clause,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import ColumnDefault
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeEngine

from feedback.extensions import db


def on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _json_param(value: Any) -> ColumnElement[Any]:
    """One parameter holding `value` as JSON text, cast to json by PostgreSQL."""
    return cast(bindparam(None, json.dumps(value, default=_plain), type_=Text), JSON)


def _plain(value: Any) -> str:
    """What json.dumps cannot write itself: dates and times, in a form PostgreSQL reads."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"a {type(value).__name__} cannot travel in a row set")


def _processor(kind: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The bind processing a value of `kind` gets in an INSERT; a date or a time then as ISO
    text (:class:`_IsoText`). A new one for each statement."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    stored = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
    return _IsoText(process) if isinstance(stored, Date | DateTime) else process


class _IsoText:
    """A date or time column's values, after their bind processing, as the ISO text PostgreSQL
    reads from JSON and from COPY: the JSON encoder would call back into Python for each, and
    psycopg's COPY writes them at ten times the cost. Each distinct value is written once (the
    rows of a batch mostly share theirs, the moment it was stored)."""

    def __init__(self, process: Callable[[Any], Any] | None) -> None:
        self.process = process
        self.texts: dict[date, str] = {}

    def __call__(self, value: date | None) -> str | None:
        if value is None:
            return None
        text = self.texts.get(value)
        if text is None:
            processed = value if self.process is None else self.process(value)
            text = self.texts[value] = processed.isoformat()
        return text


def recordset(
    columns: Mapping[str, TypeEngine[Any]], rows: Iterable[Mapping[str, Any]]
) -> TableValuedAlias:
    """`rows` (mappings with at least the keys of `columns`) as a derived table of typed
    columns, ``json_to_recordset(:rows) AS anon(name type, ...)`` (PostgreSQL). Each value
    goes through its type's bind processing (encryption, enums, UTC), as in an INSERT."""
    dialect = db.session.get_bind().dialect
    processors = [
        (name, None if isinstance(kind, JSON) else _processor(kind, dialect))  # JSON as itself
        for name, kind in columns.items()
    ]
    payload = [
        {name: row[name] if process is None else process(row[name]) for name, process in processors}
        for row in rows
    ]
    typed = [column_clause(name, kind) for name, kind in columns.items()]
    return (
        func.json_to_recordset(_json_param(payload))
        .table_valued(*typed)
        .render_derived(with_types=True)
    )


def rows_of(table: Table, rows: Sequence[Mapping[str, Any]]) -> Select[Any]:
    """``SELECT * FROM json_to_recordset(...)``: `rows` (dicts with the same keys, columns of
    `table`) as the source of an ``INSERT ... SELECT`` (PostgreSQL)."""
    return select(recordset({name: table.c[name].type for name in rows[0]}, rows))


def among(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values`` as one JSON parameter on PostgreSQL: the statement stays the same
    whatever the number of values, where an IN list sends and parses one parameter a value."""
    wanted = sorted(set(values))
    if on_postgres():
        return column.in_(
            select(cast(func.json_array_elements_text(_json_param(wanted)), column.type))
        )
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
    processors = [(name, _processor(table.c[name].type, dialect)) for name in names]
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
