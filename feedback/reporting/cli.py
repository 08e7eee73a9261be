"""Reporting commands: `feedback report` and `feedback rollup`."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from feedback.extensions import db

_DATE = click.DateTime(formats=["%Y-%m-%d"])
CLI_FORMATS = ("pdf", "html", "csv", "xlsx")


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


def _program_ids(codes: tuple[str, ...]) -> frozenset[str] | None:
    """The ids of the programs named by code; None (every program) when none is named."""
    if not codes:
        return None
    from feedback.programs.models import Program

    query = select(Program.code, Program.id).where(Program.code.in_(codes))
    found = dict(db.session.execute(query).all())
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise click.BadParameter(
            f"no program has the code {', '.join(unknown)}", param_hint="'--program'"
        )
    return frozenset(found.values())


def _writable(out: Path) -> None:
    folder = out.resolve().parent
    if not folder.is_dir():
        raise click.BadParameter(f"the folder {folder} does not exist", param_hint="'--out'")
    if out.is_dir():
        raise click.BadParameter(f"{out} is a directory", param_hint="'--out'")


def register_commands(app: Flask) -> None:
    @app.cli.command("rollup")
    @_dates
    def rollup_command(date_from: datetime, date_to: datetime) -> None:
        """Recompute the daily fact tables for a range of days."""
        from feedback.reporting.facts import build as facts

        first, last = _range(date_from, date_to)
        result = facts.refresh(first, last)
        db.session.commit()
        click.echo(
            f"rollups refreshed for {first} to {last}: {result.invitation_rows} invitation rows, "
            f"{result.answer_rows} answer rows"
        )

    @app.cli.group("facts")
    def facts_group() -> None:
        """The fact tables (integer counts) that every report and the dashboard read."""

    @facts_group.command("update")
    def facts_update() -> None:
        """Count what changed since the last update (what the periodic task does)."""
        from feedback.reporting.facts import build

        result = build.update()
        db.session.commit()
        how = "rebuilt (first update)" if result.rebuilt else "updated"
        click.echo(f"facts {how}: {result.rows} rows written")

    @facts_group.command("rebuild")
    def facts_rebuild() -> None:
        """Recompute every fact from the raw answers (days not sealed by retention)."""
        from feedback.reporting.facts import build

        results = build.rebuild()
        db.session.commit()
        rows = sum(r.invitation_rows + r.answer_rows + r.pair_rows for r in results)
        click.echo(f"facts rebuilt: {rows} rows written")

    @app.cli.command("report")
    @_dates
    @click.option(
        "--lang",
        type=click.Choice(["en", "fr"]),
        default="en",
        show_default=True,
        help="The report's language.",
    )
    @click.option(
        "--format",
        "format_",
        type=click.Choice(CLI_FORMATS),
        default="pdf",
        show_default=True,
        help="pdf, html (a standalone page), csv or xlsx (the report's tables).",
    )
    @click.option(
        "--out", required=True, type=click.Path(path_type=Path), help="The file to write."
    )
    @click.option("--weighted", is_flag=True, help="Weight the figures to the invited population.")
    @click.option(
        "--program",
        "programs",
        multiple=True,
        metavar="CODE",
        help="A program's code; repeat for several (default: every program).",
    )
    def report_command(
        date_from: datetime,
        date_to: datetime,
        lang: str,
        format_: str,
        out: Path,
        weighted: bool,
        programs: tuple[str, ...],
    ) -> None:
        """Write the report for a range of days from the facts as they are."""
        from feedback.reporting import compose, services

        first, last = _range(date_from, date_to)
        _writable(out)
        options = compose.ReportOptions(
            date_from=first, date_to=last, programs=_program_ids(programs), weighted=weighted
        )
        with click.progressbar(length=100, label="Building the report", file=sys.stderr) as bar:

            def advance(percent: int) -> None:
                bar.update(max(0, min(100, percent)) - bar.pos)

            document = compose.build(options, lang, progress=advance)
            advance(100)
        output = services.OUTPUTS.get(f"{format_}-{lang}") or services.OUTPUTS[format_]
        try:
            services.write_output(document, output, out)
        except OSError as exc:
            raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
        click.echo(f"report for {first} to {last} written to {out.resolve()}")
