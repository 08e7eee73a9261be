"""`feedback add-rule`: a distribution rule from the command line (a few lines around
:func:`feedback.distribution.rules.create_rule`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask
from sqlalchemy import select

from feedback.distribution.rules import RuleError, RuleSpec, create_rule
from feedback.distribution.simulate import SampleEvent, simulate
from feedback.extensions import db
from feedback.invitations.models import InvitationMode
from feedback.programs.models import Program
from feedback.questionnaires.authoring import AuthoringError, find_questionnaire, find_version


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


def _values(pairs: tuple[str, ...], option: str) -> dict[str, list[str]]:
    """NAME=V1,V2 pairs as {NAME: [V1, V2]} (a name given twice gathers its values)."""
    values: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name or not raw:
            raise click.BadParameter(f"{pair!r}: use NAME=VALUE[,VALUE...]", param_hint=option)
        values.setdefault(name, []).extend(raw.split(","))
    return values


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
    @click.option(
        "--latest",
        is_flag=True,
        help="Follow the questionnaire's latest published version.  [default: pin today's]",
    )
    @click.option(
        "--only", "filters", multiple=True, metavar="NAME=V1,V2", help="An attribute filter."
    )
    @click.option(
        "--exclude-type", "excluded_types", multiple=True, help="A contact type never surveyed."
    )
    @click.option(
        "--exclude",
        "excluded",
        multiple=True,
        metavar="NAME=V1,V2",
        help="Attribute values never surveyed, e.g. decision=refused.",
    )
    @click.option("--quota", type=int, help="At most this many invitations a period.")
    @click.option(
        "--quota-period", type=click.Choice(["day", "month"]), default="day", show_default=True
    )
    @click.option("--reminder-days", type=int, help="One reminder after this many days.")
    @click.option("--active-from", type=click.DateTime(["%Y-%m-%d"]), help="First active day.")
    @click.option("--active-until", type=click.DateTime(["%Y-%m-%d"]), help="Last active day.")
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
        latest: bool,
        filters: tuple[str, ...],
        excluded_types: tuple[str, ...],
        excluded: tuple[str, ...],
        quota: int | None,
        quota_period: str,
        reminder_days: int | None,
        active_from: datetime | None,
        active_until: datetime | None,
    ) -> None:
        """Add an active distribution rule (it replaces the active one for the same contacts)."""
        program = db.session.scalar(select(Program).where(Program.code == program_code))
        if program is None:
            raise click.ClickException(f"no program {program_code!r}")
        try:
            version = None if latest else find_version(questionnaire, program_code, None)
            followed = find_questionnaire(questionnaire, program_code) if latest else None
        except AuthoringError as exc:
            raise click.ClickException(str(exc)) from exc
        start, end = _hours(quiet_hours)
        spec = RuleSpec(
            program=program,
            version=version,
            questionnaire=followed,
            attribute_filters=_values(filters, "'--only'"),
            excluded_contact_types=excluded_types,
            excluded_attributes=_values(excluded, "'--exclude'"),
            quota_limit=quota,
            quota_period=quota_period,
            reminder_after_days=reminder_days,
            active_from=active_from.date() if active_from else None,
            active_until=active_until.date() if active_until else None,
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

    @app.cli.command("simulate")
    @click.option("--program", "program_code", required=True, help="The program's code.")
    @click.option("--contact-type", required=True, help="The event's contact type.")
    @click.option("--client", "client_ref", required=True, help="The client's reference.")
    @click.option("--email", help="The client's email address.")
    @click.option("--phone", help="The client's phone number.")
    @click.option("--language", type=click.Choice(["en", "fr"]), default="en", show_default=True)
    @click.option("--timezone", help="The client's time zone, e.g. America/Toronto.")
    @click.option(
        "--occurred-at",
        type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
        help="When the contact took place, in UTC.  [default: now]",
    )
    @click.option(
        "--attribute", "attributes", multiple=True, metavar="NAME=VALUE", help="An attribute."
    )
    def simulate_command(
        program_code: str,
        contact_type: str,
        client_ref: str,
        email: str | None,
        phone: str | None,
        language: str,
        timezone: str | None,
        occurred_at: datetime | None,
        attributes: tuple[str, ...],
    ) -> None:
        """Say what would happen to a contact event, and why, without storing anything."""
        program = db.session.scalar(select(Program).where(Program.code == program_code))
        if program is None:
            raise click.ClickException(f"no program {program_code!r}")
        pairs = dict(pair.partition("=")[::2] for pair in attributes)
        sample = SampleEvent(
            program=program,
            contact_type=contact_type,
            attributes=pairs,
            client_ref=client_ref,
            email=email,
            phone=phone,
            language=language,
            timezone=timezone,
            occurred_at=occurred_at.replace(tzinfo=UTC) if occurred_at else datetime.now(UTC),
        )
        result = simulate(sample)
        click.echo(f"{result.outcome}: {result.reason}")
        for number, step in enumerate(result.steps, 1):
            click.echo(f"  {number}. {step}")
