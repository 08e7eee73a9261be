"""The administrators' pages for API keys: list, create (the key is shown once, in the answer
to the form), revoke after a confirmation. A few lines around :mod:`.services` each."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from feedback.accounts import services
from feedback.accounts.forms import ApiKeyForm, ConfirmForm, program_choices
from feedback.accounts.models import ApiKey
from feedback.extensions import db
from feedback.governance.permissions import Permission, requires

bp = Blueprint("api_keys", __name__, url_prefix="/admin/api-keys")


def _key(key_id: str) -> ApiKey:
    key = services.get_api_key(key_id)
    if key is None:
        abort(404)
    return key


@bp.get("")
@requires(Permission.MANAGE_API_KEYS)
def index() -> ResponseReturnValue:
    return render_template("accounts/api_keys.html", keys=services.list_api_keys(True))


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_API_KEYS)
def create() -> ResponseReturnValue:
    form = ApiKeyForm()
    form.programs.choices = program_choices()
    if form.validate_on_submit():
        key, plaintext = services.create_api_key(form.name.data, form.programs.data)
        db.session.commit()
        page = render_template("accounts/api_key_created.html", key=key, plaintext=plaintext)
        return page, 200, {"Cache-Control": "no-store"}
    status = 400 if form.errors else 200
    return render_template("accounts/api_key_new.html", form=form), status


@bp.route("/<key_id>/revoke", methods=["GET", "POST"])
@requires(Permission.MANAGE_API_KEYS)
def revoke(key_id: str) -> ResponseReturnValue:
    key = _key(key_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.revoke_api_key(key.id)
        db.session.commit()
        flash(_("The key “%(name)s” is revoked: it no longer works.", name=key.name), "info")
        return redirect(url_for(".index"), 303)
    return render_template("accounts/api_key_revoke.html", key=key, form=form)
