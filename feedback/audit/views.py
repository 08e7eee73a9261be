"""The administrators' audit log page (/admin/audit), filtered and paged, and its CSV export
(/admin/audit.csv, same filters, streamed)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import Optional

from feedback.audit.services import AuditFilter, csv_lines, events_page, filter_choices
from feedback.extensions import db
from feedback.governance.permissions import Permission, requires
from feedback.i18n import current_locale
from feedback.programs.models import Program

bp = Blueprint("audit", __name__, url_prefix="/admin")
PER_PAGE = 50


@bp.app_template_filter("audit_value")
def audit_value(value: Any) -> str:
    """A recorded value as JSON, accents kept (the page escapes it)."""
    return json.dumps(value, ensure_ascii=False)


#: Names of the object types the platform records; another type is shown by its code.
OBJECT_TYPES = {
    "user": _l("Users"),
    "api_key": _l("API keys"),
    "questionnaire": _l("Questionnaires"),
    "program": _l("Programs"),
    "rule": _l("Distribution rules"),
    "follow_up": _l("Follow-ups"),
    "follow_up_policy": _l("Follow-up settings"),
    "walk_in_point": _l("Walk-in points"),
}
ANY = ""


class AuditFilterForm(FlaskForm):
    """A search form (GET): nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    object_type = SelectField(_l("What changed"), default=ANY)
    actor = SelectField(_l("Who"), default=ANY)
    program = SelectField(_l("Program"), default=ANY)
    date_from = DateField(
        _l("From (UTC)"),
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    date_to = DateField(
        _l("To (UTC)"),
        validators=[Optional()],
        format="%Y-%m-%d",
    )

    def __init__(self, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(request.args, **kwargs)
        types, actors = filter_choices()
        language = current_locale()
        everything = [SelectChoice(ANY, _l("All"))]
        self.object_type.choices = everything + [
            SelectChoice(t, OBJECT_TYPES.get(t, t)) for t in types
        ]
        self.actor.choices = everything + [SelectChoice(actor) for actor in actors]
        self.program.choices = everything + [SelectChoice(p.id, p.name(language)) for p in programs]

    def wanted(self) -> AuditFilter:
        """The filter; a date that could not be read is left out (its error says so)."""
        return AuditFilter(
            object_type=self.object_type.data or None,
            actor=self.actor.data or None,
            date_from=None if self.date_from.errors else self.date_from.data,
            date_to=None if self.date_to.errors else self.date_to.data,
            program_id=self.program.data or None,
        )


def _programs() -> list[Program]:
    return list(db.session.scalars(select(Program).order_by(Program.code)))


def _date_message() -> str:
    return str(_l("Enter a date like 2026-01-31."))


def _form() -> AuditFilterForm:
    form = AuditFilterForm(_programs())
    form.validate()
    for date_field in (form.date_from, form.date_to):
        if date_field.errors:
            date_field.errors = [_date_message()]
    # An unknown choice (a stale link) is dropped rather than refused.
    for choice_field in (form.object_type, form.actor, form.program):
        if choice_field.errors:
            choice_field.errors, choice_field.data = [], ANY
    return form


@bp.get("/audit")
@requires(Permission.VIEW_AUDIT_LOG)
def index() -> ResponseReturnValue:
    form = _form()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    events, has_next = events_page(form.wanted(), page, PER_PAGE)
    filters = {key: value for key, value in request.args.items() if key not in ("page", "lang")}
    status = 400 if form.errors else 200
    return render_template(
        "audit/index.html",
        form=form,
        events=events,
        page=page,
        has_next=has_next,
        filters=filters,
        program_names={p.id: p.name(current_locale()) for p in _programs()},
    ), status


@bp.get("/audit.csv")
@requires(Permission.VIEW_AUDIT_LOG)
def export() -> ResponseReturnValue:
    wanted = _form().wanted()
    codes = {program.id: program.code for program in _programs()}
    return Response(
        stream_with_context(csv_lines(wanted, codes)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"',
            "Cache-Control": "no-store",
        },
    )
