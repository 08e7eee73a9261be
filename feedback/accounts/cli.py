"""`feedback api-keys list|create|revoke` (and the older `create-api-key`, kept as an alias)."""

from __future__ import annotations

import click
from flask import Flask

from feedback.extensions import db

_PROGRAM_OPTION = click.option(
    "--program",
    "programs",
    metavar="CODE",
    multiple=True,
    help="A program the key may send events for (repeat for several); none: every program.",
)


def _create(name: str, programs: tuple[str, ...]) -> None:
    from feedback.accounts.services import AccountError, create_api_key

    try:
        _, plaintext = create_api_key(name, programs)
    except AccountError as exc:
        raise click.BadParameter(str(exc), param_hint="'--program'") from exc
    db.session.commit()
    click.echo(plaintext)


def register_commands(app: Flask) -> None:
    @app.cli.group("api-keys")
    def api_keys() -> None:
        """API keys of the systems that post contact events."""

    @api_keys.command("list")
    @click.option("--all", "include_revoked", is_flag=True, help="Show revoked keys too.")
    def list_command(include_revoked: bool) -> None:
        """One line a key: prefix, name, programs, created, last used, revoked."""
        from feedback.accounts.services import list_api_keys

        keys = list_api_keys(include_revoked)
        if not keys:
            click.echo("no API keys")
        for key in keys:
            programs = ",".join(p.code for p in key.programs) or "*"
            used = key.last_used_at
            fields = [
                f"fbk_{key.prefix}",
                key.name,
                f"programs={programs}",
                f"created={key.created_at:%Y-%m-%dT%H:%MZ}",
                f"last_used={used:%Y-%m-%dT%H:%MZ}" if used else "never used",
            ]
            if key.revoked_at:
                fields.append(f"revoked={key.revoked_at:%Y-%m-%dT%H:%MZ}")
            click.echo("\t".join(fields))

    @api_keys.command("create")
    @click.option("--name", required=True, help="Who will use the key, e.g. 'call centre CRM'.")
    @_PROGRAM_OPTION
    def create_command(name: str, programs: tuple[str, ...]) -> None:
        """Create an API key for POST /api/v1/contacts; it is shown once."""
        _create(name, programs)

    @api_keys.command("revoke")
    @click.argument("key")
    def revoke_command(key: str) -> None:
        """Revoke KEY, given by its prefix (fbk_<prefix>, as `list` shows it) or its id."""
        from feedback.accounts.services import AccountError, revoke_api_key

        try:
            revoked = revoke_api_key(key)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"revoked fbk_{revoked.prefix} ({revoked.name})")

    @app.cli.command("create-api-key")
    @click.option("--name", required=True, help="Who will use the key, e.g. 'call centre CRM'.")
    @_PROGRAM_OPTION
    def create_api_key_command(name: str, programs: tuple[str, ...]) -> None:
        """Create an API key (same as `api-keys create`); it is shown once."""
        _create(name, programs)
