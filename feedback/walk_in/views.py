"""Walk-in pages: the managers' (points, their poster, their activity) and the visitor's open
link ``/w/<token>``.

The open link answers a GET with a page in both languages whose buttons start the survey (a
POST): a link previewer or a scanner app that fetches the address starts nothing, and the client
says in which language to answer. The POST is rate limited per client address (Flask-Limiter,
RATELIMIT_WALK_IN; a refusal is counted for the managers), resumes the survey this browser
started at the point lately (its session), or starts one (services.visit), and sends the browser
to the survey page (/s/) with the invitation in its session: no survey token in any address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from feedback.accounts.forms import ConfirmForm
from feedback.extensions import csrf, db
from feedback.governance.permissions import Permission, can, program_scope, requires, within_scope
from feedback.i18n import current_locale, other_language
from feedback.programs.models import Program
from feedback.surveys import session as survey_session
from feedback.surveys.services import page_invitation
from feedback.walk_in import services
from feedback.walk_in import session as walk_in_session
from feedback.walk_in.forms import PointForm, VisitForm
from feedback.walk_in.models import WalkInPoint
from feedback.walk_in.poster import poster_pdf

bp = Blueprint("walk_in", __name__, url_prefix="/walk-in")
public = Blueprint("walk_in_visit", __name__)


# --- the managers' pages ------------------------------------------------------------------------


def _point(point_id: str) -> WalkInPoint:
    """The point, if the user's programs include its program (404 otherwise, as for none)."""
    point = db.session.get(WalkInPoint, point_id)
    if point is None or not within_scope(current_user, [point.program_id]):
        abort(404)
    return point


def _programs() -> list[Program]:
    """The programs whose points the user may manage."""
    programs = db.session.scalars(select(Program).order_by(Program.code))
    return [p for p in programs if can(current_user, Permission.MANAGE_RULES, p.id)]


@bp.get("")
@requires(Permission.MANAGE_RULES)
def index() -> ResponseReturnValue:
    points = services.list_points(program_scope(current_user))
    return render_template(
        "walk_in/points.html",
        points=points,
        unusual=services.unusual_hours([point.id for point in points]),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_RULES)
def create() -> ResponseReturnValue:
    form = PointForm()
    language = current_locale()
    programs = {program.code: program for program in _programs()}
    form.program.choices = [
        SelectChoice(code, f"{program.name(language)} ({code})")
        for code, program in programs.items()
    ]
    if form.validate_on_submit():
        spec = services.PointSpec(
            program=programs[form.program.data],
            office_code=form.office_code.data,
            name_en=form.name_en.data,
            name_fr=form.name_fr.data,
            contact_type=form.contact_type.data,
        )
        try:
            point = services.create_point(spec)
        except services.PointError as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                form[name].errors.append(message)
        else:
            db.session.commit()
            flash(_("The walk-in point is ready. Print its poster below."), "info")
            return redirect(url_for(".point", point_id=point.id), 303)
    status = 400 if form.errors else 200
    return render_template("walk_in/point_new.html", form=form), status


@bp.get("/<point_id>")
@requires(Permission.MANAGE_RULES)
def point(point_id: str) -> ResponseReturnValue:
    point = _point(point_id)
    return render_template(
        "walk_in/point.html",
        point=point,
        link=services.link(point),
        activity=services.activity(point),
        outlook=services.outlook(point) if point.active else None,
    )


@bp.get("/<point_id>/poster.pdf")
@requires(Permission.MANAGE_RULES)
def poster(point_id: str) -> ResponseReturnValue:
    point = _point(point_id)
    if not point.active:
        abort(404)
    filename = f"walk-in-{point.office_code}.pdf"  # the code's characters are safe in a name
    return Response(
        poster_pdf(point),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<point_id>/deactivate", methods=["GET", "POST"])
@requires(Permission.MANAGE_RULES)
def deactivate(point_id: str) -> ResponseReturnValue:
    point = _point(point_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.deactivate_point(point)
        db.session.commit()
        flash(
            _(
                "The link of “%(name)s” no longer starts surveys.",
                name=point.name(current_locale()),
            ),
            "info",
        )
        return redirect(url_for(".point", point_id=point.id), 303)
    return render_template("walk_in/point_deactivate.html", point=point, form=form)


# --- the visitor's pages ------------------------------------------------------------------------


@public.after_request
def _private(response: Response) -> Response:
    """The survey's pages are never cached, and the point's link never referred."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _in_both_languages(make: Callable[[], dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """`make()`'s texts in the page's language, then in the other one: a visitor who has not
    chosen yet reads the page in either."""
    first = current_locale()
    blocks = []
    for language in (first, other_language(first)):
        with force_locale(language):
            blocks.append((language, make()))
    return blocks


def _message(make: Callable[[], dict[str, Any]], status: int = 200, **headers: str) -> Any:
    page = render_template("walk_in/message.html", blocks=_in_both_languages(make))
    return page, status, headers


def _not_in_use() -> ResponseReturnValue:
    return _message(
        lambda: {
            "title": _("This survey link is no longer in use"),
            "paragraphs": [
                _("Thank you for your interest. Ask at the counter how to give us your feedback.")
            ],
        },
        404,
    )


def _open_point(token: str) -> WalkInPoint | None:
    point = services.point_by_token(token)
    return point if point is not None and point.active else None


def _landing(point: WalkInPoint, form: VisitForm, session_lost: bool = False) -> str:
    def texts() -> dict[str, Any]:
        language = current_locale()
        return {
            "office": point.name(language),
            "program": point.program.name(language),
            "title": _("Tell us about your visit"),
            "invitation": _(
                "Answer a short survey about the service you received today. "
                "It takes a few minutes."
            ),
            "privacy": _("Answering is voluntary and has no effect on any service you receive."),
            "privacy_link": _("Read our privacy notice"),
            "start": _("Start the survey"),
            "session_lost": _("Your session timed out. Choose your language again to start."),
        }

    return render_template(
        "walk_in/open.html",
        blocks=_in_both_languages(texts),
        form=form,
        token=point.token,
        session_lost=session_lost,
    )


@public.get(f"{services.LINK_PATH}<token>")
def open_link(token: str) -> ResponseReturnValue:
    point = _open_point(token)
    if point is None:
        return _not_in_use()
    return _landing(point, VisitForm())


def _client_address() -> str:
    return f"ip:{get_remote_address()}"


def _too_many(exc: RateLimitExceeded) -> ResponseReturnValue:
    return _message(
        lambda: {
            "title": _("Too many requests"),
            "paragraphs": [
                _(
                    "Too many surveys were started from your connection in a short time. "
                    "Wait a few minutes, then try again."
                )
            ],
        },
        429,
        **{"Retry-After": str(exc.limit.limit.get_expiry())},
    )


@public.post(f"{services.LINK_PATH}<token>")
@csrf.exempt  # checked by the form: a lost session gets the page again, not an error
def start(token: str) -> ResponseReturnValue:
    point = _open_point(token)
    if point is None:
        return _not_in_use()
    limiter = current_app.extensions["feedback_limiter"]
    try:
        with limiter.limit(
            lambda: current_app.config["RATELIMIT_WALK_IN"], key_func=_client_address
        ):
            pass
    except RateLimitExceeded as exc:
        services.refused(point)
        return _too_many(exc)
    form = VisitForm()
    if not form.validate_on_submit():
        return _landing(point, form, session_lost=bool(form.csrf_token.errors)), 400
    language = form.language.data
    visit = services.visit(point, language, walk_in_session.previous(point.id))
    if visit.outcome == "answered":
        return _message(
            lambda: {
                "title": _("You have already answered this survey"),
                "paragraphs": [
                    _("Thank you. We have received your answers, so there is nothing more to do.")
                ],
            }
        )
    invitation = page_invitation(visit.invitation_id) if visit.invitation_id else None
    if invitation is None:
        return _message(
            lambda: {
                "title": _("There is no survey to answer at the moment"),
                "paragraphs": [_("Thank you for your visit. You do not need to do anything.")],
            }
        )
    walk_in_session.remember(point.id, invitation.id)
    survey_session.remember(invitation)
    return redirect(url_for("surveys.form", lang=language), 303)
