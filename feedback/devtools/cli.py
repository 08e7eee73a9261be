"""Development commands: `feedback seed-demo`, `feedback smtp-sink` and `feedback dev` (what
`make run` ends with)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from feedback.config import is_local
from feedback.devtools.demo import DEFAULT_CONTACTS
from feedback.devtools.supervisor import smtp_address


def _development_only() -> None:
    env = current_app.config["FEEDBACK_ENV"]
    if not is_local(env):
        raise click.ClickException(f"this is a development tool; FEEDBACK_ENV is {env!r}")


def register_commands(app: Flask) -> None:
    @app.cli.command("smtp-sink")
    @click.option("--host", help="Address to listen on.  [default: SMTP_HOST, 127.0.0.1]")
    @click.option("--port", type=int, help="Port to listen on.  [default: SMTP_PORT, 8025]")
    def smtp_sink_command(host: str | None, port: int | None) -> None:
        """Catch every email in OUTBOX_DIR instead of delivering it (until Ctrl-C)."""
        from feedback.devtools.smtp_sink import serve_forever

        _development_only()
        folder = current_app.config.get("OUTBOX_DIR")
        if not folder:
            raise click.ClickException("OUTBOX_DIR is not set: nowhere to keep the messages")
        default_host, default_port = smtp_address()
        host = host or default_host
        port = port or default_port
        click.echo(f"SMTP sink on {host}:{port}, writing messages to {folder}")
        try:
            serve_forever(host, port, Path(folder))
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc

    @app.cli.command("dev")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Web server address.")
    @click.option("--port", default=5000, type=int, show_default=True, help="Web server port.")
    def dev_command(host: str, port: int) -> None:
        """Run the SMTP sink, the Celery worker with beat and the web server until Ctrl-C."""
        from feedback.devtools import supervisor

        _development_only()
        sys.exit(supervisor.run(app, host, port))

    @app.cli.command("seed-demo")
    @click.option(
        "--contacts",
        default=DEFAULT_CONTACTS,
        show_default=True,
        type=click.IntRange(1, 100_000),
        help="How many simulated contacts to create.",
    )
    def seed_demo_command(contacts: int) -> None:
        """Create demo data once (later runs only make sure the credentials file exists)."""
        from feedback.devtools.demo import seed_demo

        _development_only()
        result = seed_demo(contacts=contacts)
        if result.created:
            click.echo(f"demo data created: {result.contacts} simulated contacts")
        else:
            click.echo("demo data already present")
        click.echo(f"credentials (also in {result.credentials_path}):\n")
        click.echo(result.credentials)
