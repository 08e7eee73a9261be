"""`feedback opt-out`: a client's request, received by phone or letter, recorded by an
administrator (a few lines around :func:`feedback.consent.opt_outs.opt_out_client`)."""

from __future__ import annotations

import click
from flask import Flask

from feedback.channels.registry import get_channel
from feedback.consent.opt_outs import opt_out_client
from feedback.extensions import db
from feedback.security import client_hash


def register_commands(app: Flask) -> None:
    @app.cli.command("opt-out")
    @click.option(
        "--client",
        "reference",
        required=True,
        help="The client's reference, as the department's systems send it (never stored).",
    )
    @click.option("--channel", help="Only this channel's way of surveying.  [default: every way]")
    def opt_out_command(reference: str, channel: str | None) -> None:
        """Record a client's request for no more surveys; their pending surveys stop."""
        if not reference.strip():
            raise click.BadParameter("give the client's reference", param_hint="'--client'")
        if channel is not None and get_channel(channel) is None:
            raise click.BadParameter(
                f"{channel!r} is not an enabled channel", param_hint="'--channel'"
            )
        stopped = opt_out_client(client_hash(reference), "admin", channel)
        db.session.commit()
        scope = f"by {channel}" if channel else "by any channel"
        click.echo(f"no more surveys {scope} for this client; {stopped} pending survey(s) stopped")
