"""The administrators' pages for staff accounts: list, create, change role and programs,
deactivate or reactivate, reset a password. A few lines around :mod:`.services` each.

A password (given or generated) is shown once, in the answer to the form that set it: it is
never put in the session, a URL or a log.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts import services
from feedback.accounts.forms import (
    ROLE_LABELS,
    ConfirmForm,
    NewUserForm,
    PasswordResetForm,
    ScopeForm,
    program_choices,
)
from feedback.accounts.models import Role, User
from feedback.extensions import db
from feedback.governance.permissions import Permission, requires

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def _user(user_id: str) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _with_programs(form: ScopeForm) -> ScopeForm:
    form.programs.choices = program_choices()
    return form


def _shown_once(template: str, **context: object) -> ResponseReturnValue:
    """A page holding a secret: not stored by the browser or a proxy."""
    return render_template(template, **context), 200, {"Cache-Control": "no-store"}


@bp.get("")
@requires(Permission.MANAGE_USERS)
def index() -> ResponseReturnValue:
    return render_template(
        "accounts/users.html",
        users=services.list_users(),
        role_labels=ROLE_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def create() -> ResponseReturnValue:
    form = _with_programs(NewUserForm())
    if form.validate_on_submit():
        if services.find_user(form.email.data) is not None:
            form.email.errors.append(_("A user already has this email address."))
        else:
            password = form.password.data or services.generate_password()
            role = Role(form.role.data)
            user = services.create_user(form.email.data, password, role, form.programs.data)
            db.session.commit()
            return _shown_once(
                "accounts/password_set.html",
                user=user,
                password=password,
                heading=_("User created"),
            )
    status = 400 if form.errors else 200
    return render_template("accounts/user_new.html", form=form), status


@bp.route("/<user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def edit(user_id: str) -> ResponseReturnValue:
    user = _user(user_id)
    form = _with_programs(ScopeForm(data={"role": user.role.value}))
    if request.method == "GET":
        form.programs.data = [program.code for program in user.programs]
    problem = None
    if form.validate_on_submit():
        try:
            services.update_user(user, Role(form.role.data), form.programs.data)
        except services.AccountError as exc:
            problem = str(exc)
        else:
            db.session.commit()
            flash(_("Saved the role and programs of %(email)s.", email=user.email), "info")
            return redirect(url_for(".index"), 303)
    status = 400 if form.errors or problem else 200
    return render_template("accounts/user_edit.html", form=form, user=user, problem=problem), status


@bp.post("/<user_id>/active")
@requires(Permission.MANAGE_USERS)
def set_active(user_id: str) -> ResponseReturnValue:
    """Deactivate (active=0) or reactivate (active=1) a user, from the list's buttons."""
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        services.set_active(user, active, by=current_user)
    except services.AccountError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        if active:
            flash(_("%(email)s can sign in again.", email=user.email), "info")
        else:
            flash(_("%(email)s can no longer sign in.", email=user.email), "info")
    return redirect(url_for(".index"), 303)


@bp.route("/<user_id>/password", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def reset_password(user_id: str) -> ResponseReturnValue:
    user = _user(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        password = form.password.data or services.generate_password()
        services.set_password(user, password)
        db.session.commit()
        return _shown_once(
            "accounts/password_set.html",
            user=user,
            password=password,
            heading=_("Password reset"),
        )
    status = 400 if form.errors else 200
    return render_template("accounts/user_password.html", form=form, user=user), status
