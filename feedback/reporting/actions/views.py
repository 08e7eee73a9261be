"""The "you said, we did" pages: the actions of the user's programs, a new one, changing and
deleting one. A few lines around :mod:`.services` each. An action of a program outside the
user's scope answers 404, as every scoped page does."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import RadioField

from feedback.accounts.models import User
from feedback.extensions import db
from feedback.governance.permissions import Permission, can, program_scope, requires
from feedback.i18n import current_locale
from feedback.programs.services import in_scope
from feedback.reporting.actions import services
from feedback.reporting.actions.forms import (
    STATUS_LABELS,
    ActionForm,
    DeleteForm,
    NewActionForm,
)
from feedback.reporting.actions.models import MAX_TEXT, ActionStatus, ThemeAction
from feedback.reporting.themes.taxonomy import THEMES
from feedback.staff_forms import form_problems, service_problems

bp = Blueprint("actions", __name__, url_prefix="/actions")


def _action(action_id: str) -> ThemeAction:
    action = db.session.get(ThemeAction, action_id)
    if action is None or not can(current_user, Permission.MANAGE_ACTIONS, action.program_id):
        abort(404)
    return action


def _spec(form: ActionForm) -> services.ActionSpec:
    owner = db.session.get(User, form.owner.data) if form.owner.data else None
    return services.ActionSpec(
        theme=form.theme.data or "",
        text={"en": form.text_en.data or "", "fr": form.text_fr.data or ""},
        status=ActionStatus(form.status.data),
        action_date=form.action_date.data,
        owner=owner,
    )


def _save(form: ActionForm, save: Callable[[services.ActionSpec], object]) -> dict[str, str]:
    """The form's problems, or the service's; none when `save` (given the spec) went through."""
    if not form.validate():
        # A radio group's message leads to its first button (the group has no input of its own).
        return {
            f"{key}-0" if isinstance(getattr(form, key, None), RadioField) else key: message
            for key, message in form_problems(form).items()
        }
    try:
        save(_spec(form))
    except services.ActionError as exc:
        return service_problems(exc.errors, lambda key: getattr(form, key).id, form.theme.id)
    return {}


def _form_page(
    form: ActionForm, action: ThemeAction | None, problems: dict[str, str]
) -> ResponseReturnValue:
    return render_template(
        "actions/edit.html",
        form=form,
        action=action,
        problems=problems,
        max_text=MAX_TEXT,
        language=current_locale(),
    ), 400 if problems else 200


@bp.get("")
@requires(Permission.MANAGE_ACTIONS)
def index() -> ResponseReturnValue:
    return render_template(
        "actions/index.html",
        actions=services.actions_for(program_scope(current_user)),
        themes=THEMES,
        status_labels=STATUS_LABELS,
        language=current_locale(),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_ACTIONS)
def create() -> ResponseReturnValue:
    scope = program_scope(current_user)
    programs = in_scope(scope)
    form = NewActionForm(
        programs,
        services.possible_owners(scope),
        current_locale(),
        data={"program": request.args.get("program", "")},
    )
    problems: dict[str, str] = {}
    if form.is_submitted():
        program = next((p for p in programs if p.code == form.program.data), None)
        problems = _save(form, lambda spec: services.create_action(program, spec))
        if not problems:
            db.session.commit()
            flash(_("Recorded the action."), "info")
            return redirect(url_for(".index"), 303)
    return _form_page(form, None, problems)


@bp.route("/<action_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_ACTIONS)
def edit(action_id: str) -> ResponseReturnValue:
    action = _action(action_id)
    form = ActionForm(
        services.possible_owners({action.program_id}),
        current_locale(),
        data={
            "theme": action.theme,
            "text_en": action.text_en,
            "text_fr": action.text_fr,
            "status": action.status.value,
            "action_date": action.action_date,
            "owner": action.owner_id or "",
        },
    )
    problems: dict[str, str] = {}
    if form.is_submitted():
        problems = _save(form, lambda spec: services.update_action(action, spec))
        if not problems:
            db.session.commit()
            flash(_("Saved the action."), "info")
            return redirect(url_for(".index"), 303)
    return _form_page(form, action, problems)


@bp.route("/<action_id>/delete", methods=["GET", "POST"])
@requires(Permission.MANAGE_ACTIONS)
def delete(action_id: str) -> ResponseReturnValue:
    action = _action(action_id)
    form = DeleteForm()
    if form.validate_on_submit():
        services.delete_action(action)
        db.session.commit()
        flash(_("Deleted the action."), "info")
        return redirect(url_for(".index"), 303)
    return render_template(
        "actions/delete.html",
        action=action,
        form=form,
        theme=THEMES.get(action.theme),
        language=current_locale(),
    ), 400 if form.errors else 200
