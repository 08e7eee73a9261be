"""The program pages: the programs in the user's scope, a new program (administrators), and a
program's names, time zone and contact types (its managers). A few lines around :mod:`.services`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback.extensions import db
from feedback.governance.permissions import Permission, can, program_scope, requires
from feedback.i18n import current_locale
from feedback.programs import services
from feedback.programs.forms import NewProgramForm, ProgramForm
from feedback.programs.models import Program
from feedback.staff_forms import form_problems, position_key, service_problems

bp = Blueprint("programs", __name__, url_prefix="/programs")


def program_in_scope(program_id: str, permission: Permission) -> Program:
    """The program, if the user may do `permission` on it; 404 otherwise (outside the scope, a
    program is as good as absent)."""
    program = db.session.get(Program, program_id)
    if program is None or not can(current_user, permission, program.id):
        abort(404)
    return program


def _spec(form: ProgramForm) -> services.ProgramSpec:
    return services.ProgramSpec(
        name={"en": form.name_en.data or "", "fr": form.name_fr.data or ""},
        timezone=form.timezone.data or "",
        contact_types=form.filled_contact_types(),
        reportable_attributes=form.attribute_names(),
    )


def _problems(form: ProgramForm, exc: services.ProgramError) -> dict[str, str]:
    return service_problems(exc.errors, position_key, form.name_en.id)


@bp.get("")
@requires(Permission.EDIT_PROGRAMS)
def index() -> ResponseReturnValue:
    return render_template(
        "programs/index.html",
        programs=services.in_scope(program_scope(current_user)),
        language=current_locale(),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_PROGRAMS)
def create() -> ResponseReturnValue:
    form = NewProgramForm()
    problems: dict[str, str] = {}
    if form.is_submitted():
        problems = {} if form.validate() else form_problems(form)
        if not problems:
            try:
                program = services.create_program(form.code.data or "", _spec(form))
            except services.ProgramError as exc:
                problems = _problems(form, exc)
            else:
                db.session.commit()
                flash(_("Program %(code)s created.", code=program.code), "info")
                return redirect(url_for(".edit", program_id=program.id), 303)
    status = 400 if problems else 200
    return render_template("programs/edit.html", form=form, program=None, problems=problems), status


@bp.route("/<program_id>", methods=["GET", "POST"])
@requires(Permission.EDIT_PROGRAMS)
def edit(program_id: str) -> ResponseReturnValue:
    program = program_in_scope(program_id, Permission.EDIT_PROGRAMS)
    form = ProgramForm(
        data={
            "name_en": program.name_en,
            "name_fr": program.name_fr,
            "timezone": program.timezone,
            "contact_types": list(program.contact_types or []),
            "reportable_attributes": ", ".join(program.reportable_attributes or []),
        }
    )
    problems: dict[str, str] = {}
    if form.is_submitted():
        problems = {} if form.validate() else form_problems(form)
        if not problems:
            try:
                services.update_program(program, _spec(form))
            except services.ProgramError as exc:
                problems = _problems(form, exc)
            else:
                db.session.commit()
                flash(_("Saved the program %(code)s.", code=program.code), "info")
                return redirect(url_for(".index"), 303)
    status = 400 if problems else 200
    return render_template(
        "programs/edit.html", form=form, program=program, problems=problems
    ), status
