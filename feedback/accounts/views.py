"""Staff sign-in and sign-out (Flask-Login, argon2 password hashes, a lockout by address)."""

from __future__ import annotations

import logging
import math
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from feedback.accounts.forms import LoginForm
from feedback.accounts.lockout import AccountLocked
from feedback.accounts.models import User
from feedback.accounts.services import authenticate_user
from feedback.db_types import utcnow
from feedback.extensions import db, login_manager

bp = Blueprint("accounts", __name__)
log = logging.getLogger(__name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Sign in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user; a deactivated one is signed out at their next request."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: `next` must never leave the site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _restart_session() -> None:
    """A fresh session on every sign-in or sign-out, keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    # Flask-WTF caches the request's CSRF token on g; it left the session with everything else.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if language:
        session["lang"] = language


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    destination = local_path(request.args.get("next")) or url_for("reporting.dashboard")
    if current_user.is_authenticated:
        return redirect(destination)
    form = LoginForm()
    refusal = None
    if form.validate_on_submit():
        try:
            user = authenticate_user(form.email.data or "", form.password.data or "")
        except AccountLocked as locked:
            user, refusal = None, _locked_message(locked)
            log.info("staff sign-in refused: locked")
        db.session.commit()  # the failure count, or the time of this sign-in
        if user is not None:
            _restart_session()  # no session fixation: nothing from before sign-in is kept
            login_user(user)
            log.info("staff signed in", extra={"fields": {"user": user.id}})
            return redirect(destination)
        if refusal is None:
            refusal = _("Email or password is incorrect.")
            log.info("staff sign-in refused")
    status = 200 if request.method == "GET" else 400
    return render_template("accounts/login.html", form=form, refusal=refusal), status


def _locked_message(locked: AccountLocked) -> str:
    minutes = max(1, math.ceil((locked.until - utcnow()).total_seconds() / 60))
    return ngettext(
        "Too many failed attempts. Try again in %(num)s minute, or ask an administrator to "
        "reset your password.",
        "Too many failed attempts. Try again in %(num)s minutes, or ask an administrator to "
        "reset your password.",
        minutes,
    )


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    _restart_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))
