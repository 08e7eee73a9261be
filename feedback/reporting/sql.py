"""The few SQL expressions that differ between SQLite and PostgreSQL, chosen by dialect.

Constants are inlined with literal_column (not bound) so that the same expression can appear in
SELECT and GROUP BY: PostgreSQL treats two bound parameters as two different expressions.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import Date, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

from feedback.extensions import db

Period = Literal["week", "month"]


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
    """The first day of the ISO week (Monday) or of the month containing a date column."""
    if _dialect() == "sqlite":
        if period == "month":
            return func.date(day_column, literal_column("'start of month'"), type_=Date)
        # Step back six days, then forward to the next Monday (or stay on it): that week's Monday.
        return func.date(
            day_column, literal_column("'-6 days'"), literal_column("'weekday 1'"), type_=Date
        )
    return cast(func.date_trunc(literal_column(f"'{period}'"), day_column), Date)
