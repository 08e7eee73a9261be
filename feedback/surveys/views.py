"""The client-facing survey: the link /s/<token>, the form at /s/, thanks, privacy, and
unsubscribing.

The link's token is exchanged for a place in the signed, HttpOnly session and the browser is
sent (303) to /s/, so the token leaves the address bar, the history and any Referer at once.

Both POST views are exempt from the app-wide CSRF check and validate the token through their
form instead: a client whose session cookie was lost gets the page back with their answers and
a message, rather than a bare error page. The one exception, RFC 8058 one-click unsubscribe,
is accepted without a token because mail providers post it from their servers; the secret code
in the URL is what authorises it.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import SelectChoice

from feedback.consent.codes import invitation_for_unsubscribe_code
from feedback.consent.opt_outs import is_opted_out_now, opt_out, opt_out_scope
from feedback.extensions import csrf, db
from feedback.i18n import SUPPORTED as LANGUAGES
from feedback.i18n import current_locale
from feedback.invitations.models import Invitation
from feedback.surveys import session as survey_session
from feedback.surveys.forms import (
    THIS_CHANNEL,
    SurveyForm,
    SurveyVersion,
    UnsubscribeForm,
    only_this_way,
    survey_version,
)
from feedback.surveys.services import (
    PageInvitation,
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


def _use_language_of(invitation: Invitation | PageInvitation) -> None:
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
    """The link from the message: trade the token for the session, then leave the address bar.

    The token stays valid until the survey is answered (or expires), so the same link still
    works in another browser or after the session ended; it just never stays on screen.
    """
    invitation = invitation_for_token(token)
    if invitation is None:
        return _not_found()
    _use_language_of(invitation)
    state = survey_state(invitation)
    if state is not SurveyState.LIVE:
        return _closed(state)
    survey_session.remember(invitation)
    if request.method == "POST":  # a form rendered before the token left the address bar
        return form()
    # The form's CSRF token goes into the cookie this response sets anyway, so the page that
    # follows does not sign and send the session again just to add it.
    generate_csrf()
    language = request.args.get("lang")
    return redirect(url_for(".form", lang=language if language in LANGUAGES else None), 303)


@bp.route("/s/", methods=["GET", "POST"])
@csrf.exempt
def form() -> ResponseReturnValue:
    invitation = survey_session.invitation(request.form.get("invitation"))
    if invitation is None:
        return _session_ended()
    _use_language_of(invitation)
    state = survey_state(invitation)
    if state is not SurveyState.LIVE:
        return _closed(state)
    survey_session.remember(invitation)

    language = current_locale()
    assert invitation.questionnaire_version_id is not None  # set when the invitation is planned
    survey = survey_version(invitation.questionnaire_version_id, language)
    program_name = invitation.program_name(language)
    if request.method == "GET":  # a blank form: no answer, no error
        mark_opened(invitation)
        page = survey.blank_page(program_name, lambda: _render_blank_page(survey, program_name))
        return page.replace(_INVITATION_MARK, escape(invitation.id)).replace(
            _CSRF_MARK, escape(generate_csrf())
        )
    form = survey.form_class()
    if form.validate_on_submit():
        state = submit_answers(invitation, form.answers(), language)
        if state is SurveyState.LIVE:
            return redirect(url_for(".done", lang=language), 303)
        return _closed(state)
    session_lost = bool(form.csrf_token.errors)
    return _render_form(
        survey, form, _render_questions(form), program_name, invitation.id, session_lost
    ), (400 if session_lost else 200)


#: Where a blank page kept by SurveyVersion.blank_page takes each client's own values. NUL
#: never occurs in a page's text (PostgreSQL refuses it in text), so no title or name can hold a
#: mark.
_INVITATION_MARK = "\x00invitation\x00"
_CSRF_MARK = "\x00csrf_token\x00"


def _render_blank_page(survey: SurveyVersion, program_name: str) -> str:
    """The page of a blank form with marks for the client's invitation and CSRF token: the
    rest is the same for every client of a version, language and program."""
    form = survey.form_class()
    token = form.csrf_token.current_token
    questions = survey.blank_questions(lambda: _render_questions(form))
    html = _render_form(survey, form, questions, program_name, _INVITATION_MARK, False)
    assert token and html.count(token) == 1
    return html.replace(token, _CSRF_MARK)


def _render_form(
    survey: SurveyVersion,
    form: SurveyForm,
    questions: Markup,
    program_name: str,
    invitation_id: str,
    session_lost: bool,
) -> str:
    return render_template(
        "survey/form.html",
        form=form,
        questions=questions,
        title=survey.title,
        intro=survey.intro,
        session_lost=session_lost,
        action=url_for("surveys.form", lang=current_locale()),
        program_name=program_name,
        invitation_id=invitation_id,
    )


def _render_questions(form: SurveyForm) -> Markup:
    return Markup(render_template("survey/_questions.html", form=form))


def preview_page(version_id: str, program_name: str) -> str:
    """The page of a blank form of a version (a draft too) as a client meets it, in the current
    locale: the questionnaire builder's preview. Its form belongs to no invitation."""
    survey = survey_version(version_id, current_locale())
    form = survey.form_class()
    return _render_form(survey, form, _render_questions(form), program_name, "", False)


def _session_ended() -> ResponseReturnValue:
    """No survey in this browser's session: it ended, or the page was opened without the link."""
    return _message(
        _("Your session has ended"),
        _("For your security, the survey page stays open for a limited time only."),
        _(
            "To answer the survey, open the link in the message we sent you again. "
            "If you had started answering, your answers were not saved."
        ),
        status=403,
    )


@bp.get("/s/done")
def done() -> ResponseReturnValue:
    return _message(
        _("Thank you for your feedback"),
        _("We have received your answers. They will help us improve our services."),
        _("You can now close this page."),
    )


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    # The department's own wording when it sets one (PRIVACY_AUTHORITY_EN/_FR, PRIVACY_CONTACT).
    config = current_app.config
    authority = config.get(f"PRIVACY_AUTHORITY_{current_locale().upper()}") or _(
        "We collect it under the authority of the Department's enabling legislation, and it is "
        "protected under the Privacy Act."
    )
    return render_template(
        "survey/privacy.html",
        authority=authority,
        contact=config.get("PRIVACY_CONTACT") or _("the Department's privacy coordinator"),
        retention_days=config["RETENTION_DAYS"],
    )


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
    assert invitation.channel is not None
    medium = opt_out_scope(invitation.channel)
    form = UnsubscribeForm()
    form.scope.choices = [*form.scope.choices, SelectChoice(THIS_CHANNEL, only_this_way(medium))]
    one_click = request.method == "POST" and request.form.to_dict(flat=False) == ONE_CLICK_BODY
    every_channel = one_click or form.scope.data != THIS_CHANNEL
    if one_click or form.validate_on_submit():
        opt_out(invitation, "one_click" if one_click else "web", every_channel=every_channel)
        db.session.commit()
        return render_template(
            "survey/unsubscribed.html", medium=medium, every_channel=every_channel
        )
    if is_opted_out_now(invitation):
        return render_template("survey/unsubscribed.html", medium=medium, every_channel=False)
    session_lost = request.method == "POST" and bool(form.csrf_token.errors)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "survey/unsubscribe.html", form=form, medium=medium, session_lost=session_lost
    ), status
