"""`feedback privacy export|erase|rotate-keys`: a few lines around the privacy services."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from feedback.extensions import db
from feedback.privacy import keys, requests

_client = click.option(
    "--client",
    "reference",
    required=True,
    help="The client's reference, as the department's systems send it (never stored).",
)


def _reference(reference: str) -> str:
    if not reference.strip():
        raise click.BadParameter("give the client's reference", param_hint="'--client'")
    return reference


def register_commands(app: Flask) -> None:
    group = AppGroup("privacy", help="Clients' access and erasure requests; data key rotation.")

    @group.command("export")
    @_client
    @click.option("--out", type=click.File("w", encoding="utf-8"), default="-", show_default=True)
    def export_command(reference: str, out: click.utils.LazyFile) -> None:
        """Write everything held about one client as JSON (an access request)."""
        data = requests.export_client(_reference(reference))
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")

    @group.command("erase")
    @_client
    def erase_command(reference: str) -> None:
        """Delete one client's events, invitations and responses (the daily counts stay)."""
        erasure = requests.erase_client(_reference(reference))
        db.session.commit()
        click.echo(
            f"erased {erasure.events} event(s) and {erasure.invitations} invitation(s) "
            "with their responses; the daily counts are kept"
        )
        if erasure.opt_outs_kept:
            click.echo(
                f"kept {erasure.opt_outs_kept} opt-out(s): erasing them would resume surveys "
                "for this client"
            )

    @group.command("rotate-keys")
    def rotate_keys_command() -> None:
        """Re-encrypt stored contact details with the first DATA_ENCRYPTION_KEYS key."""
        counts = keys.rotate()
        db.session.commit()
        click.echo(
            f"{counts['invitations']} invitation(s) and {counts['follow_ups']} follow-up(s) "
            "re-encrypted with the first key"
        )

    app.cli.add_command(group)
