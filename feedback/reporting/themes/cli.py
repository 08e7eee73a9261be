"""`feedback comments code`: scrub and code comments from any source (complaints, the web
feedback form), one JSON object a line, in constant memory. `feedback comments update` and
`feedback comments recode` keep the stored survey comments coded (see themes.store).

The output is written to a temporary file beside --out and renamed over it only when every
line was read: a bad line stops the command (exit code 1, naming the line) and leaves --out as
it was, never half written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any

import click
from flask import Flask

from feedback.extensions import db
from feedback.reporting.themes import store
from feedback.reporting.themes.coding import code
from feedback.reporting.themes.scrub import scrub

LANGUAGES = ("en", "fr")


def _comment(line: str, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise click.ClickException(f"line {number}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise click.ClickException(f"line {number}: expected an object with lang and text")
    if record.get("lang") not in LANGUAGES:
        raise click.ClickException(f'line {number}: "lang" must be "en" or "fr"')
    if not isinstance(record.get("text"), str):
        raise click.ClickException(f'line {number}: "text" must be a string')
    return record


def code_lines(source: IO[str], target: IO[str], *, drop_text: bool = False) -> int:
    """Scrub and code each line of `source` into `target`; returns the number of comments.
    Blank lines are skipped; a bad line raises ClickException naming it."""
    count = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        record = _comment(line, number)
        record["scrubbed"] = scrub(record["text"], record["lang"])
        record["themes"] = code(record["scrubbed"], record["lang"])
        if drop_text:
            del record["text"]
        target.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def register_commands(app: Flask) -> None:
    @app.cli.group("comments")
    def comments_group() -> None:
        """Comments: personal information scrubbed, coded into the taxonomy's themes."""

    @comments_group.command("code")
    @click.option(
        "--in",
        "source",
        type=click.File("r", encoding="utf-8"),
        required=True,
        help='JSON lines: {"lang": "en"|"fr", "text": ...} ("-" for standard input).',
    )
    @click.option(
        "--out",
        "target",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help='The same lines with "scrubbed" and "themes" added (written whole or not at all).',
    )
    @click.option(
        "--drop-text",
        is_flag=True,
        help="Leave the original text out of the output (safe to share).",
    )
    def code_command(source: IO[str], target: Path, drop_text: bool) -> None:
        """Scrub and code comments from a JSON lines file."""
        handle, temporary = tempfile.mkstemp(
            dir=target.resolve().parent, prefix=f".{target.name}.", suffix=".part"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as output:
                count = code_lines(source, output, drop_text=drop_text)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
        click.echo(f"coded {count} comment(s) into {target}", err=True)

    @comments_group.command("update")
    def update_command() -> None:
        """Code the comments of the responses completed since the last update."""
        count = store.code_new()
        db.session.commit()
        click.echo(f"coded {count} new comment(s)")

    @comments_group.command("recode")
    def recode_command() -> None:
        """Scrub and code every stored comment again (after the taxonomy changed)."""
        count = store.recode_all()
        db.session.commit()
        click.echo(f"recoded {count} comment(s)")
