"""The rule pages: list the rules of the user's programs, create, edit (a new rule replaces the
old one), deactivate; and simulate a contact event. A few lines around the rule services each:
:mod:`.rules` validates, replaces and audits; :mod:`.simulate` decides as dispatch would.

A rule or a program outside the user's programs answers 404, like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from feedback.accounts.forms import ConfirmForm
from feedback.channels.registry import enabled_channels
from feedback.db_types import utcnow
from feedback.distribution import rules as services
from feedback.distribution.describe import describe, title
from feedback.distribution.forms import (
    MODE_LABELS,
    RuleForm,
    SimulateForm,
    option_field_name,
    rule_form,
)
from feedback.distribution.models import DistributionRule
from feedback.distribution.simulate import SampleEvent, simulate
from feedback.extensions import db
from feedback.governance.permissions import Permission, program_scope, requires, within_scope
from feedback.i18n import current_locale
from feedback.invitations.models import InvitationMode
from feedback.programs.models import Program

bp = Blueprint("rules", __name__, url_prefix="/rules")


def _programs() -> list[Program]:
    """The programs in the user's scope, by code."""
    scope = program_scope(current_user)
    query = select(Program).order_by(Program.code)
    if scope is not None:
        query = query.where(Program.id.in_(sorted(scope)))
    return list(db.session.scalars(query))


def _program(code: str | None) -> Program:
    program = db.session.scalar(select(Program).where(Program.code == (code or "")))
    if program is None or not within_scope(current_user, [program.id]):
        abort(404)
    return program


def _rule(rule_id: str) -> DistributionRule:
    rule = db.session.get(DistributionRule, rule_id)
    if rule is None or not within_scope(current_user, [rule.program_id]):
        abort(404)
    return rule


def _save(
    form: RuleForm, program: Program, replacing: DistributionRule | None
) -> DistributionRule | None:
    """Create the rule the form describes, replacing the active rule for the same contacts and
    the rule being changed (`replacing`); None after a refusal, with the errors beside their
    fields."""
    if not form.validate_on_submit():
        return None
    try:
        rule = services.create_rule(form.spec(program), replacing)
    except services.RuleError as exc:
        form.show_errors(exc)
        return None
    db.session.commit()
    return rule


def _form_page(
    form: RuleForm, program: Program, rule: DistributionRule | None
) -> ResponseReturnValue:
    channels = enabled_channels()
    status = 400 if form.errors else 200
    return render_template(
        "distribution/rule_form.html",
        form=form,
        program=program,
        rule=rule,
        channels=channels,
        option_field_name=option_field_name,
    ), status


@bp.get("")
@requires(Permission.MANAGE_RULES)
def index() -> ResponseReturnValue:
    show_all = request.args.get("show") == "all"
    programs = _programs()
    query = (
        select(DistributionRule)
        .where(DistributionRule.program_id.in_([program.id for program in programs]))
        .order_by(
            DistributionRule.active.desc(),
            DistributionRule.contact_type.is_not(None),  # the catch-all rule first
            DistributionRule.contact_type,
        )
    )
    if not show_all:
        query = query.where(DistributionRule.active.is_(True))
    found = list(db.session.scalars(query))
    by_program = {
        program: [rule for rule in found if rule.program_id == program.id] for program in programs
    }
    return render_template(
        "distribution/rules.html",
        by_program=by_program,
        show_all=show_all,
        describe=describe,
        rule_title=title,
        confirm=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_RULES)
def create() -> ResponseReturnValue:
    programs = _programs()
    code = request.args.get("program")
    if code is None and len(programs) != 1:
        return render_template("distribution/choose_program.html", programs=programs)
    program = _program(code or programs[0].code)
    form = rule_form(program)
    rule = _save(form, program, None)
    if rule is not None:
        flash(_("The rule is saved and active."), "info")
        return redirect(url_for(".index"), 303)
    return _form_page(form, program, None)


@bp.route("/<rule_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_RULES)
def edit(rule_id: str) -> ResponseReturnValue:
    rule = _rule(rule_id)
    form = rule_form(rule.program, rule)
    saved = _save(form, rule.program, rule)
    if saved is not None:
        flash(_("The rule is saved: the new settings apply to contacts from now on."), "info")
        return redirect(url_for(".index"), 303)
    return _form_page(form, rule.program, rule)


@bp.post("/<rule_id>/deactivate")
@requires(Permission.MANAGE_RULES)
def deactivate(rule_id: str) -> ResponseReturnValue:
    rule = _rule(rule_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.deactivate_rule(rule)
    db.session.commit()
    flash(_("The rule is deactivated: its contacts are no longer surveyed by it."), "info")
    return redirect(url_for(".index"), 303)


def _zone_time(moment: datetime | None, zone: str) -> str | None:
    if moment is None:
        return None
    return format_datetime(moment, "medium", tzinfo=ZoneInfo(zone), locale=current_locale())


@bp.route("/simulate", methods=["GET", "POST"])
@requires(Permission.MANAGE_RULES)
def simulate_page() -> ResponseReturnValue:
    programs = _programs()
    language = current_locale()
    first_zone = programs[0].timezone if programs else "UTC"
    now = utcnow().astimezone(ZoneInfo(first_zone)).replace(second=0, microsecond=0, tzinfo=None)
    form = SimulateForm(data={"occurred_at": now, "language": language})
    form.program.choices = [
        SelectChoice(p.code, f"{p.name(language)} ({p.code})") for p in programs
    ]
    result = zone = None
    if form.validate_on_submit():
        program = _program(form.program.data)
        zone = form.timezone.data or program.timezone
        result = simulate(
            SampleEvent(
                program=program,
                contact_type=form.contact_type.data,
                attributes={name: values[-1] for name, values in form.attributes.data.items()},
                client_ref=form.client_ref.data,
                email=form.email.data or None,
                phone=form.phone.data or None,
                language=form.language.data,
                timezone=form.timezone.data or None,
                occurred_at=form.occurred_at.data.replace(tzinfo=ZoneInfo(zone)),
            )
        )
    types = "; ".join(
        f"{p.code}: {', '.join(item['code'] for item in p.contact_types)}"
        for p in programs
        if p.contact_types
    )
    status = 400 if form.errors else 200
    return render_template(
        "distribution/simulate.html",
        form=form,
        types=types,
        result=result,
        mode=MODE_LABELS[InvitationMode(result.mode)] if result and result.mode else None,
        zone=zone,
        zone_time=_zone_time,
        describe=describe,
    ), status
