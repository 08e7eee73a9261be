"""The `feedback` command: Flask's CLI (db upgrade, run, ...) plus the platform's own commands."""

from __future__ import annotations

import io
import os
import stat
import sys
from typing import BinaryIO

import click
from flask import Flask
from flask.cli import FlaskGroup

from feedback.accounts import cli as accounts_cli
from feedback.accounts.models import Role
from feedback.consent import cli as consent_cli
from feedback.devtools import cli as devtools_cli
from feedback.distribution import cli as distribution_cli
from feedback.extensions import db
from feedback.privacy import cli as privacy_cli
from feedback.questionnaires import cli as questionnaires_cli
from feedback.reporting import cli as reporting_cli
from feedback.reporting import export_cli
from feedback.reporting.themes import cli as themes_cli
from feedback.sms import cli as sms_cli


def register_commands(app: Flask) -> None:
    reporting_cli.register_commands(app)
    export_cli.register_commands(app)  # export responses
    themes_cli.register_commands(app)  # comments code
    devtools_cli.register_commands(app)
    distribution_cli.register_commands(app)
    questionnaires_cli.register_commands(app)
    sms_cli.register_commands(app)
    consent_cli.register_commands(app)
    privacy_cli.register_commands(app)  # privacy export|erase|rotate-keys
    accounts_cli.register_commands(app)  # api-keys list|create|revoke, create-api-key

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ANALYST.value)
    @click.option(
        "--program",
        "programs",
        metavar="CODE",
        multiple=True,
        help="A program the user works on (repeat for several); needed except for admins.",
    )
    @click.password_option()
    def create_user_command(
        email: str, role: str, programs: tuple[str, ...], password: str
    ) -> None:
        """Create a staff account (admin, program manager or analyst) and its programs."""
        from feedback.accounts.services import AccountError, create_user

        if Role(role) is Role.ADMIN and programs:
            click.echo("note: an admin works on every program; --program is ignored", err=True)
        try:
            create_user(email, password, Role(role), programs=programs)
        except AccountError as exc:
            raise click.BadParameter(str(exc), param_hint="'--program'") from exc
        db.session.commit()
        click.echo(f"created {role} {email}")

    @app.cli.command("import-contacts")
    @click.argument("path", type=click.File("rb"))
    def import_contacts_command(path: BinaryIO) -> None:
        """Import contact events from a CSV file (same rules as POST /api/v1/contacts).

        The rows are imported a batch at a time, each batch committed (an interrupted import
        can be run again: what was stored is found as duplicates). A progress bar on a terminal.
        """
        from feedback.contacts.csv_import import CsvFormatError, import_csv

        try:
            outcome = import_csv(path)
        except CsvFormatError as exc:
            raise click.ClickException(str(exc)) from exc
        counts = {"created": 0, "duplicate": 0, "conflict": 0, "rejected": 0}
        size = _regular_file_size(path)
        hidden = size is None or not sys.stderr.isatty()
        with click.progressbar(length=size or 0, hidden=hidden, file=sys.stderr) as bar:
            for line, result in outcome:
                counts[result.status] += 1
                if result.status in ("rejected", "conflict"):
                    detail = "; ".join(f"{k}: {v}" for k, v in result.errors.items())
                    click.echo(f"line {line}: {result.status}: {detail}", err=True)
                if result.index == 0 and size is not None:  # a new batch
                    bar.update(path.tell() - bar.pos)
            bar.update(bar.length - bar.pos)
        click.echo(
            f"{counts['created']} created, {counts['duplicate']} duplicates, "
            f"{counts['conflict']} conflicts, {counts['rejected']} rejected"
        )
        if counts["rejected"] or counts["conflict"]:
            raise SystemExit(1)

    @app.cli.command("channels")
    def channels_command() -> None:
        """List the channel plugins found through the feedback.channels entry points."""
        from feedback.channels.registry import discover, enabled_channels

        enabled = enabled_channels()
        for name, entry_point in sorted(discover().items()):
            state = "enabled" if name in enabled else "installed, not enabled"
            click.echo(f"{name}\t{entry_point.value}\t{state}")
            if name in enabled:
                for key in enabled[name].settings:
                    click.echo(f"\t  setting {key}")
                for key, option in enabled[name].rule_options.items():
                    kind = f"{option.type.__name__}, default {option.default!r}"
                    click.echo(f"\t  rule option {key} ({kind}): {option.help}")


def _regular_file_size(stream: BinaryIO) -> int | None:
    """The size of a file being read, or None for a pipe (no progress to show)."""
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def main() -> None:
    from feedback import create_app

    cli = FlaskGroup(create_app=create_app, help="feedback: client-experience surveys.")
    # Not an app command: it must run, and say why, when the app cannot be built.
    cli.add_command(check_config_command)
    cli.main()


@click.command("check-config")
@click.option("--skip-app", is_flag=True, help="Do not build the app (channels) at the end.")
def check_config_command(skip_app: bool) -> None:
    """Check the environment before serving: secrets, public address, database, broker.

    Prints one line a check (OK, WARN or FAIL) and exits with 1 when anything is refused.
    """
    from flask import Flask

    from feedback import create_app
    from feedback.config_check import check_configuration, failed

    instance_path = Flask("feedback", instance_relative_config=True).instance_path
    findings = check_configuration(instance_path, app_factory=None if skip_app else create_app)
    for finding in findings:
        click.echo(str(finding))
    if failed(findings):
        raise click.ClickException("the configuration is refused (FAIL above)")
    click.echo("configuration accepted")
