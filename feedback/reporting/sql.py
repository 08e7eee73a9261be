"""The few SQL expressions that differ between SQLite and PostgreSQL, chosen by dialect.

Constants are inlined with literal_column (not bound) so that the same expression can appear in
SELECT and GROUP BY: PostgreSQL treats two bound parameters as two different expressions.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import Date, Integer, Text, case, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

from feedback.extensions import db

Period = Literal["week", "month", "quarter"]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def utc_day(column: Any) -> ColumnElement[date]:
    """The UTC calendar day of a timestamp column.

    SQLite stores UTC text, so date() is enough. PostgreSQL stores timestamptz, whose cast to a
    date depends on the session time zone: convert to UTC wall time first.
    """
    if _dialect() == "sqlite":
        return func.date(column, type_=Date)
    return cast(func.timezone(literal_column("'UTC'"), column), Date)


def period_start(day_column: Any, period: Period) -> ColumnElement[date]:
    """The first day of the ISO week (Monday), the month or the quarter containing a date column."""
    if _dialect() == "sqlite":
        if period == "month":
            return func.date(day_column, literal_column("'start of month'"), type_=Date)
        if period == "quarter":
            # Back (month - 1) % 3 months from the first of the month.
            month = cast(func.strftime(literal_column("'%m'"), day_column), Integer)
            back = (
                literal_column("'-'")
                # In SQLite || binds tighter than %: the brackets are needed.
                .concat(((month - literal_column("1")) % literal_column("3")).self_group())
                .concat(literal_column("' months'"))
            )
            return func.date(day_column, literal_column("'start of month'"), back, type_=Date)
        # Step back six days, then forward to the next Monday (or stay on it): that week's Monday.
        return func.date(
            day_column, literal_column("'-6 days'"), literal_column("'weekday 1'"), type_=Date
        )
    return cast(func.date_trunc(literal_column(f"'{period}'"), day_column), Date)


def quoted(text: str) -> str:
    """`text` as an SQL string literal (for names checked beforehand, such as attribute names
    and ids: inlined so that the same expression can be repeated in GROUP BY)."""
    return "'" + text.replace("'", "''") + "'"


def json_attribute_text(column: Any, name: str) -> ColumnElement[str]:
    """The text of the top-level key `name` of a JSON column; NULL when absent or null.

    Numbers come out as written and booleans as true/false on both databases. `name` must be a
    plain identifier (reportable attribute names are [a-z0-9_]).
    """
    if _dialect() == "sqlite":
        path = literal_column(quoted(f"$.{name}"))
        json_kind = func.json_type(column, path)
        return case(
            (json_kind == literal_column("'true'"), literal_column("'true'")),
            (json_kind == literal_column("'false'"), literal_column("'false'")),
            else_=cast(func.json_extract(column, path), Text),
        )
    return column.op("->>")(literal_column(quoted(name)))


def json_string(text: Any) -> ColumnElement[str]:
    """A text expression quoted as a JSON string (quotes and control characters escaped)."""
    if _dialect() == "sqlite":
        return func.json_quote(text, type_=Text)
    return cast(func.to_json(cast(text, Text)), Text)
