"""`feedback preview-sms`: a questionnaire's texts with their segment counts."""

from __future__ import annotations

import textwrap

import click
from flask import Flask

from feedback.questionnaires.authoring import AuthoringError, find_version
from feedback.sms.preview import MAX_SEGMENTS, PreviewText, preview


def describe(item: PreviewText) -> str:
    count = item.count
    plural = "segment" if count.segments == 1 else "segments"
    line = (
        f"[{item.language}] {item.label}: {count.segments} {plural} "
        f"({count.encoding}, {count.characters} characters)"
    )
    if item.too_long:
        culprits = "".join(count.non_gsm)
        why = f"; UCS-2 because of {culprits!r}" if culprits else ""
        line = (
            f"WARNING {line}: more than {MAX_SEGMENTS} segments{why}. "
            "Shorten it, or give the question an SMS wording."
        )
    return line


def register_commands(app: Flask) -> None:
    @app.cli.command("preview-sms")
    @click.argument("code")
    @click.option("--program", help="The program's code, when several share the questionnaire.")
    @click.option("--version", "number", type=int, help="A version number.  [default: latest]")
    @click.option(
        "--channel",
        default="sms",
        show_default=True,
        help="Use this channel's wordings (a channel name, or the medium 'sms').",
    )
    def preview_sms_command(
        code: str, program: str | None, number: int | None, channel: str
    ) -> None:
        """Print every text of questionnaire CODE per language, with its segment count."""
        try:
            version = find_version(code, program, number)
        except AuthoringError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(
            f"{code} version {version.number} ({version.questionnaire.program.code}): "
            f"texts as the client receives them; at most {MAX_SEGMENTS} segments each"
        )
        items = preview(version, channel)
        for item in items:
            click.echo("")
            click.echo(describe(item))
            click.echo(textwrap.indent(item.text, "    "))
        too_long = sum(item.too_long for item in items)
        click.echo("")
        click.echo(f"{too_long} of {len(items)} texts take more than {MAX_SEGMENTS} segments.")
