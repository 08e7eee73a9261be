"""The response-level export: a page to choose the period and programs, and the CSV itself,
streamed (GET /exports/responses?from=D&to=D[&program=CODE...]). Analysts and administrators
only (EXPORT_RESPONSES), and only about the programs in the user's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectChoice, SelectMultipleField
from wtforms.validators import InputRequired, ValidationError

from feedback.governance.permissions import Permission, program_scope, requires
from feedback.i18n import current_locale
from feedback.programs.models import Program
from feedback.programs.services import in_scope
from feedback.reporting.export import stream_responses
from feedback.reporting.facts.read import Scope
from feedback.staff_forms import form_problems

bp = Blueprint("export", __name__, url_prefix="/exports")
#: The export's own arguments (others, such as ?lang=, only change the page).
QUERY = frozenset({"from", "to", "program"})


class ExportForm(FlaskForm):
    """The period and programs, from the query string (nothing changes: no CSRF token)."""

    class Meta:
        csrf = False

    date_from = DateField(
        _l("First day"),
        name="from",
        validators=[InputRequired(message=_l("Enter the first day of the period."))],
    )
    date_to = DateField(
        _l("Last day"),
        name="to",
        validators=[InputRequired(message=_l("Enter the last day of the period."))],
    )
    programs = SelectMultipleField(_l("Programs"), name="program", validate_choice=False)

    def __init__(self, programs: list[Program], language: str, **kwargs: Any) -> None:
        super().__init__(request.args, **kwargs)
        self.programs.choices = [SelectChoice(p.code, p.name(language)) for p in programs]

    def validate_programs(self, field: Field) -> None:
        known = {choice.value for choice in field.choices}
        if set(field.data or ()) - known:
            raise ValidationError(_l("Choose among your programs."))

    def validate_date_to(self, field: Field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The last day must be the same as or after the first day."))


def export_scope(
    date_from: date, date_to: date, chosen: list[Program], scope: set[str] | None
) -> Scope:
    """The export's scope: the programs chosen, else every program of the user's scope."""
    programs = {p.id for p in chosen} if chosen else scope
    return Scope(date_from, date_to, None if programs is None else frozenset(programs))


def file_name(date_from: date, date_to: date) -> str:
    return f"responses-{date_from.isoformat()}-{date_to.isoformat()}.csv"


@bp.get("/responses")
@requires(Permission.EXPORT_RESPONSES)
def responses() -> ResponseReturnValue:
    scope = program_scope(current_user)
    programs = in_scope(scope)
    form = ExportForm(programs, current_locale())
    if not QUERY.intersection(request.args):  # the page itself, before choosing
        return render_template("export/responses.html", form=form, problems={})
    if not form.validate():
        return render_template(
            "export/responses.html", form=form, problems=form_problems(form)
        ), 400
    chosen = [p for p in programs if p.code in set(form.programs.data or ())]
    export = export_scope(form.date_from.data, form.date_to.data, chosen, scope)
    name = file_name(form.date_from.data, form.date_to.data)
    return Response(
        stream_with_context(stream_responses(export)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
