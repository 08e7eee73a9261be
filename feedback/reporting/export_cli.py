"""`feedback export responses`: the de-identified response-level CSV, to a file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from feedback.extensions import db
from feedback.programs.models import Program
from feedback.reporting.export import stream_responses
from feedback.reporting.facts.read import Scope

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _program_ids(codes: tuple[str, ...]) -> frozenset[str] | None:
    """The ids of the programs named by code; None (every program) when none is named."""
    if not codes:
        return None
    query = select(Program.code, Program.id).where(Program.code.in_(codes))
    found = {code: program_id for code, program_id in db.session.execute(query)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise click.BadParameter(
            f"no program has the code {', '.join(unknown)}", param_hint="'--program'"
        )
    return frozenset(found.values())


def register_commands(app: Flask) -> None:
    @app.cli.group("export")
    def export_group() -> None:
        """Exports of de-identified data."""

    @export_group.command("responses")
    @click.option("--from", "date_from", type=_DATE, required=True, help="First day, YYYY-MM-DD.")
    @click.option(
        "--to", "date_to", type=_DATE, required=True, help="Last day, YYYY-MM-DD (inclusive)."
    )
    @click.option(
        "--program",
        "programs",
        metavar="CODE",
        multiple=True,
        help="Only this program (repeat for several); every program by default.",
    )
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        required=True,
        help="The CSV file to write.",
    )
    def export_responses_command(
        date_from: datetime, date_to: datetime, programs: tuple[str, ...], out: Path
    ) -> None:
        """The responses completed from --from to --to, de-identified, one CSV row per
        response (written as they are read: memory stays flat)."""
        if date_from > date_to:
            raise click.BadParameter("must not be before --from", param_hint="'--to'")
        if not out.resolve().parent.is_dir():
            raise click.BadParameter(f"the folder of {out} does not exist", param_hint="'--out'")
        scope = Scope(date_from.date(), date_to.date(), _program_ids(programs))
        counted = [0]

        def written(rows: int) -> None:
            counted[0] += rows

        with out.open("w", encoding="utf-8", newline="") as stream:
            for chunk in stream_responses(scope, written=written):
                stream.write(chunk)
        click.echo(f"wrote {counted[0]} responses to {out}")
