"""`feedback add-rule`: a distribution rule from the command line (a few lines around
:func:`feedback.distribution.rules.create_rule`)."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import Flask
from sqlalchemy import select

from feedback.distribution.rules import RuleError, RuleSpec, create_rule
from feedback.extensions import db
from feedback.invitations.models import InvitationMode
from feedback.programs.models import Program
from feedback.questionnaires.authoring import AuthoringError, find_version


def _hours(raw: str) -> tuple[int | None, int | None]:
    """'21-8' -> (21, 8); 'none' -> (0, 0), which turns quiet hours off; '' -> channel default."""
    if raw == "":
        return None, None
    if raw.lower() == "none":
        return 0, 0
    start, _, end = raw.partition("-")
    try:
        return int(start), int(end)
    except ValueError as exc:
        raise click.BadParameter("use START-END in hours, e.g. 21-8, or none") from exc


def _options(pairs: tuple[str, ...]) -> dict[str, Any]:
    """NAME=VALUE pairs; a VALUE is read as JSON when it can be (true, 3), else as text."""
    options: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r}: use NAME=VALUE", param_hint="'--option'")
        try:
            options[name] = json.loads(raw)
        except json.JSONDecodeError:
            options[name] = raw
    return options


def register_commands(app: Flask) -> None:
    @app.cli.command("add-rule")
    @click.option("--program", "program_code", required=True, help="The program's code.")
    @click.option("--questionnaire", required=True, help="The questionnaire's code.")
    @click.option("--channel", required=True, help="An enabled channel, e.g. sms_twilio.")
    @click.option("--contact-type", help="Only this contact type.  [default: every type]")
    @click.option(
        "--mode",
        type=click.Choice([m.value for m in InvitationMode]),
        default=InvitationMode.LINK.value,
        show_default=True,
    )
    @click.option("--fallback", help="A channel for clients the first cannot reach, e.g. email.")
    @click.option(
        "--quiet-hours",
        default="",
        help="Local hours with no sending, e.g. 21-8, or none.  [default: the channel's]",
    )
    @click.option("--delay", default=0, show_default=True, help="Minutes after the contact.")
    @click.option(
        "--sampling", default=1.0, show_default=True, help="Share of contacts surveyed (0-1]."
    )
    @click.option("--expiry-days", default=14, show_default=True, help="Days to answer.")
    @click.option(
        "--fatigue-days",
        default=30,
        show_default=True,
        help="At most one survey per client in this many days, across programs (0: no limit).",
    )
    @click.option(
        "--option",
        "options",
        multiple=True,
        metavar="NAME=VALUE",
        help="An option of the channel (see `feedback channels`), e.g. record_answers=true.",
    )
    def add_rule_command(
        program_code: str,
        questionnaire: str,
        channel: str,
        contact_type: str | None,
        mode: str,
        fallback: str | None,
        quiet_hours: str,
        delay: int,
        sampling: float,
        expiry_days: int,
        fatigue_days: int,
        options: tuple[str, ...],
    ) -> None:
        """Add an active distribution rule (it replaces the active one for the same contacts)."""
        program = db.session.scalar(select(Program).where(Program.code == program_code))
        if program is None:
            raise click.ClickException(f"no program {program_code!r}")
        try:
            version = find_version(questionnaire, program_code, None)
        except AuthoringError as exc:
            raise click.ClickException(str(exc)) from exc
        start, end = _hours(quiet_hours)
        spec = RuleSpec(
            program=program,
            version=version,
            channel=channel,
            contact_type=contact_type,
            mode=InvitationMode(mode),
            fallback_channel=fallback,
            delay_minutes=delay,
            sampling_rate=sampling,
            expiry_days=expiry_days,
            fatigue_days=fatigue_days,
            quiet_start_hour=start,
            quiet_end_hour=end,
            channel_options=_options(options),
        )
        try:
            create_rule(spec)
        except RuleError as exc:
            raise click.ClickException(
                "the rule was not added:\n"
                + "\n".join(f"  {k}: {v}" for k, v in exc.errors.items())
            ) from exc
        db.session.commit()
        who = f"{contact_type!r} contacts" if contact_type else "every contact"
        click.echo(f"{program_code}: {who} get {questionnaire!r} by {channel} ({mode} mode)")
