"""`feedback add-rule`: a distribution rule from the command line, until rules have a page."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from feedback.channels.registry import get_channel
from feedback.delivery.models import InvitationMode
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.programs.models import Program
from feedback.sms.cli import find_version


def _hours(raw: str) -> tuple[int | None, int | None]:
    """'21-8' -> (21, 8); 'none' -> (0, 0), which turns quiet hours off; '' -> channel default."""
    if raw == "":
        return None, None
    if raw.lower() == "none":
        return 0, 0
    start, _, end = raw.partition("-")
    try:
        hours = int(start), int(end)
    except ValueError as exc:
        raise click.BadParameter("use START-END in hours, e.g. 21-8, or none") from exc
    if not all(0 <= hour <= 23 for hour in hours):
        raise click.BadParameter("hours go from 0 to 23")
    return hours


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
        "--voice-recording",
        is_flag=True,
        help="On the phone, ask free-text questions too, recording the spoken answers.",
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
        voice_recording: bool,
    ) -> None:
        """Add an active distribution rule (it replaces the active one for the same contacts)."""
        program = db.session.scalar(select(Program).where(Program.code == program_code))
        if program is None:
            raise click.ClickException(f"no program {program_code!r}")
        version = find_version(questionnaire, program_code, None)
        if not version.is_published:
            raise click.ClickException(f"{questionnaire!r} has no published version")
        sender = get_channel(channel)
        if sender is None:
            raise click.ClickException(f"channel {channel!r} is not enabled (FEEDBACK_CHANNELS)")
        if mode == InvitationMode.CONVERSATION and not sender.conversations:
            raise click.ClickException(f"channel {channel!r} cannot hold a conversation")
        if mode == InvitationMode.CALLBACK and not sender.calls_back:
            raise click.ClickException(f"channel {channel!r} cannot call clients back")
        if fallback and get_channel(fallback) is None:
            raise click.ClickException(f"fallback channel {fallback!r} is not enabled")
        start, end = _hours(quiet_hours)
        replaced = db.session.scalars(
            select(DistributionRule).where(
                DistributionRule.program_id == program.id,
                DistributionRule.active.is_(True),
                DistributionRule.contact_type.is_(None)
                if contact_type is None
                else DistributionRule.contact_type == contact_type,
            )
        ).all()
        for old in replaced:
            old.active = False
        db.session.add(
            DistributionRule(
                program_id=program.id,
                contact_type=contact_type,
                questionnaire_version_id=version.id,
                channel=channel,
                mode=InvitationMode(mode),
                fallback_channel=fallback,
                delay_minutes=delay,
                quiet_start_hour=start,
                quiet_end_hour=end,
                voice_recording=voice_recording,
            )
        )
        db.session.commit()
        who = f"{contact_type!r} contacts" if contact_type else "every contact"
        click.echo(f"{program_code}: {who} get {questionnaire!r} by {channel} ({mode} mode)")
