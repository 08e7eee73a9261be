"""`feedback questionnaire import|export|templates`: questionnaires as JSON files (see
docs/questionnaire-format.md), a few lines around :mod:`feedback.questionnaires.transfer`."""

from __future__ import annotations

import click
from flask import Flask

from feedback.extensions import db
from feedback.questionnaires import library, transfer
from feedback.questionnaires.authoring import AuthoringError, find_version


def register_commands(app: Flask) -> None:
    @app.cli.group("questionnaire")
    def questionnaire_group() -> None:
        """Questionnaires as JSON files, to keep them under version control."""

    @questionnaire_group.command("import")
    @click.argument("source", type=click.File("r", encoding="utf-8-sig"))
    @click.option("--publish", is_flag=True, help="Publish the draft once imported.")
    def import_command(source: click.utils.LazyFile, publish: bool) -> None:
        """Make SOURCE (a questionnaire file, - for standard input) the questionnaire's draft.

        A new questionnaire is created; for an existing one the file replaces its draft (a new
        draft when its latest version is published). Nothing is kept when the file has a
        problem: each is listed with its place in the file.
        """
        try:
            version = transfer.import_text(source.read(), publish=publish)
        except transfer.FileError as exc:
            db.session.rollback()
            problems = "\n".join(f"  {problem}" for problem in exc.problems)
            raise click.ClickException(f"{source.name} was not imported:\n{problems}") from exc
        db.session.commit()
        questionnaire = version.questionnaire
        state = "published" if version.is_published else "draft"
        click.echo(
            f"{questionnaire.program.code}/{questionnaire.code} version {version.number} "
            f"({state}, {len(version.questions)} questions)"
        )

    @questionnaire_group.command("export")
    @click.argument("code")
    @click.option("--program", help="The program's code, when several share the questionnaire.")
    @click.option("--version", "number", type=int, help="A version number.  [default: latest]")
    @click.option(
        "--out", type=click.File("w", encoding="utf-8"), default="-", help="[default: stdout]"
    )
    def export_command(
        code: str, program: str | None, number: int | None, out: click.utils.LazyFile
    ) -> None:
        """Write questionnaire CODE as a file (its latest published version, else its draft)."""
        try:
            version = find_version(code, program, number)
        except AuthoringError as exc:
            raise click.ClickException(str(exc)) from exc
        out.write(transfer.export_text(version))

    @questionnaire_group.command("templates")
    def templates_command() -> None:
        """List the ready-made questionnaires (start from one with `template NAME`)."""
        for name in library.names():
            click.echo(name)

    @questionnaire_group.command("template")
    @click.argument("name")
    @click.option("--program", required=True, help="The program the copy is for.")
    @click.option("--code", help="The new questionnaire's code.  [default: NAME]")
    def template_command(name: str, program: str, code: str | None) -> None:
        """Print template NAME as a file for PROGRAM, to edit, then import."""
        import json

        try:
            document = library.template(name)
        except KeyError as exc:
            raise click.ClickException(str(exc.args[0])) from exc
        document |= {"program": program, "code": code or name}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
