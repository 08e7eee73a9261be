"""Reporting commands: `feedback report` and `feedback rollup`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask

from feedback.extensions import db

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _range(date_from: datetime, date_to: datetime) -> tuple[date, date]:
    if date_from > date_to:
        raise click.BadParameter("must not be before --from", param_hint="'--to'")
    return date_from.date(), date_to.date()


def _dates(function: click.decorators.FC) -> click.decorators.FC:
    """--from and --to, both required, as YYYY-MM-DD (UTC days, inclusive)."""
    function = click.option(
        "--to", "date_to", type=_DATE, required=True, help="Last day, YYYY-MM-DD (inclusive)."
    )(function)
    return click.option(
        "--from", "date_from", type=_DATE, required=True, help="First day, YYYY-MM-DD."
    )(function)


def register_commands(app: Flask) -> None:
    @app.cli.command("rollup")
    @_dates
    def rollup_command(date_from: datetime, date_to: datetime) -> None:
        """Recompute the daily fact tables for a range of days."""
        from feedback.reporting import rollups

        first, last = _range(date_from, date_to)
        result = rollups.refresh(first, last)
        db.session.commit()
        click.echo(
            f"rollups refreshed for {first} to {last}: {result.invitation_rows} invitation rows, "
            f"{result.answer_rows} answer rows"
        )

    @app.cli.command("report")
    @_dates
    @click.option(
        "--out",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Where to write the PDF.",
    )
    def report_command(date_from: datetime, date_to: datetime, out: Path) -> None:
        """Refresh the rollups for a range of days and write the bilingual PDF report."""
        from feedback.reporting import pdf, rollups, stats

        first, last = _range(date_from, date_to)
        folder = out.resolve().parent
        if not folder.is_dir():
            raise click.BadParameter(f"the folder {folder} does not exist", param_hint="'--out'")
        rollups.refresh(first, last)
        db.session.commit()
        try:
            written = pdf.write_pdf(stats.summary(first, last), out)
        except OSError as exc:
            raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
        click.echo(f"report for {first} to {last} written to {written.resolve()}")
