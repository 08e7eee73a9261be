"""The client-facing survey: the form at /s/<token>, thanks, privacy, and unsubscribing.

Both POST views are exempt from the app-wide CSRF check and validate the token through their
form instead: a client whose session cookie was lost gets the page back with their answers and
a message, rather than a bare error page. The one exception, RFC 8058 one-click unsubscribe,
is accepted without a token because mail providers post it from their servers; the secret code
in the URL is what authorises it.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh

from feedback.consent.codes import invitation_for_unsubscribe_code
from feedback.consent.opt_outs import is_opted_out_now, opt_out
from feedback.extensions import csrf, db
from feedback.i18n import current_locale
from feedback.invitations.models import Invitation
from feedback.surveys.forms import UnsubscribeForm, survey_form
from feedback.surveys.services import (
    SurveyState,
    invitation_for_token,
    mark_opened,
    submit_answers,
    survey_state,
)

bp = Blueprint("surveys", __name__)

ONE_CLICK_BODY = {"List-Unsubscribe": ["One-Click"]}


@bp.after_request
def _private(response: Response) -> Response:
    """Pages carry a client's answers and a secret link: never cached, the link never referred."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _use_language_of(invitation: Invitation) -> None:
    """Default the page to the client's language (an explicit ?lang= choice still wins)."""
    g.survey_language = invitation.language
    refresh()


def _message(title: str, *paragraphs: str, status: int = 200) -> ResponseReturnValue:
    return render_template("survey/message.html", title=title, paragraphs=paragraphs), status


def _not_found() -> ResponseReturnValue:
    return _message(
        _("We cannot find this survey"),
        _("Check that the link is exactly as it appears in the message we sent you."),
        _("If you copied the link, make sure you copied all of it."),
        status=404,
    )


def _closed(state: SurveyState) -> ResponseReturnValue:
    if state is SurveyState.COMPLETED:
        return _message(
            _("You have already answered this survey"),
            _("Thank you. We have received your answers, so there is nothing more to do."),
        )
    if state is SurveyState.EXPIRED:
        return _message(
            _("This survey has closed"),
            _("The time to answer this survey has passed, so we can no longer accept answers."),
            _("Thank you for your interest."),
            status=410,
        )
    return _message(
        _("This survey is no longer available"),
        _("You do not need to do anything."),
        status=410,
    )


@bp.route("/s/<token>", methods=["GET", "POST"])
@csrf.exempt
def survey(token: str) -> ResponseReturnValue:
    invitation = invitation_for_token(token)
    if invitation is None:
        return _not_found()
    _use_language_of(invitation)
    state = survey_state(invitation)
    if state is not SurveyState.LIVE:
        return _closed(state)

    language = current_locale()
    version = invitation.questionnaire_version
    form = survey_form(version.questions, language)
    if form.validate_on_submit():
        if submit_answers(invitation, form.answers(), language):
            return redirect(url_for(".done", lang=language), 303)
        return _closed(survey_state(invitation))
    if request.method == "GET":
        mark_opened(invitation)
    session_lost = bool(form.csrf_token.errors)
    return render_template(
        "survey/form.html",
        form=form,
        title=version.title(language),
        version=version,
        program=invitation.program,
        language=language,
        session_lost=session_lost,
        action=url_for(".survey", token=token, lang=language),
    ), (400 if session_lost else 200)


@bp.get("/s/done")
def done() -> ResponseReturnValue:
    return _message(
        _("Thank you for your feedback"),
        _("We have received your answers. They will help us improve our services."),
        _("You can now close this page."),
    )


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    return render_template("survey/privacy.html")


@bp.route("/u/<code>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(code: str) -> ResponseReturnValue:
    invitation = invitation_for_unsubscribe_code(code)
    if invitation is None:
        return _message(
            _("We cannot find this link"),
            _("Check that the link is exactly as it appears in the message we sent you."),
            status=404,
        )
    _use_language_of(invitation)
    form = UnsubscribeForm()
    one_click = request.method == "POST" and request.form.to_dict(flat=False) == ONE_CLICK_BODY
    if one_click or form.validate_on_submit():
        opt_out(invitation, "one_click" if one_click else "web")
        db.session.commit()
    if is_opted_out_now(invitation):
        return render_template("survey/unsubscribed.html", channel=invitation.channel)
    session_lost = request.method == "POST"
    return render_template(
        "survey/unsubscribe.html", form=form, channel=invitation.channel, session_lost=session_lost
    ), (400 if session_lost else 200)
