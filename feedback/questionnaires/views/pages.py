"""Listing, starting, editing and publishing questionnaires."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from feedback.extensions import db
from feedback.governance.permissions import Permission, can, program_scope, requires
from feedback.i18n import current_locale
from feedback.programs import services as programs
from feedback.programs.models import Program
from feedback.questionnaires import authoring, builder, kinds, topics
from feedback.questionnaires.authoring import AuthoringError
from feedback.questionnaires.models import Question, Questionnaire, QuestionnaireVersion
from feedback.questionnaires.views import bp
from feedback.questionnaires.views.forms import (
    NewQuestionnaireForm,
    QuestionForm,
    TextsForm,
)
from feedback.staff_forms import form_problems, position_key, service_problems

MANAGE = Permission.MANAGE_QUESTIONNAIRES


# --- finding, within the user's programs --------------------------------------------------------


def questionnaire_in_scope(questionnaire_id: str) -> Questionnaire:
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None or not can(current_user, MANAGE, questionnaire.program_id):
        abort(404)
    return questionnaire


def version_in_scope(questionnaire_id: str, number: int) -> QuestionnaireVersion:
    questionnaire = questionnaire_in_scope(questionnaire_id)
    found = [v for v in questionnaire.versions if v.number == number]
    if not found:
        abort(404)
    return found[0]


def _draft(questionnaire_id: str) -> QuestionnaireVersion | None:
    return authoring.draft_of(questionnaire_in_scope(questionnaire_id))


def _question(questionnaire_id: str, question_id: str) -> Question:
    question = db.session.get(Question, question_id)
    questionnaire = questionnaire_in_scope(questionnaire_id)
    if question is None or question.version.questionnaire_id != questionnaire.id:
        abort(404)
    return question


def _overview(questionnaire: Questionnaire) -> ResponseReturnValue:
    return redirect(url_for(".show", questionnaire_id=questionnaire.id), 303)


def _to_draft(questionnaire: Questionnaire, anchor: str | None = None) -> ResponseReturnValue:
    url = url_for(".draft", questionnaire_id=questionnaire.id)
    return redirect(f"{url}#{anchor}" if anchor else url, 303)


# --- where each problem of a draft is fixed ----------------------------------------------------


def _field_label(key: str) -> str:
    """A question's field as the problem list names it ("text.fr", "wordings.sms.en", ...)."""
    parts = key.split(".")
    names = {
        "text": _("question text"),
        "options": _("options"),
        "show_if": _("condition"),
        "topic": _("topic"),
        "code": _("code"),
        "kind": _("kind"),
    }
    if parts[0] == "wordings" and len(parts) > 1:
        return _("wording for %(channel)s", channel=parts[1])
    return names.get(parts[0], key)


def question_field_id(key: str) -> str:
    """The input of the question form a service's key is about."""
    parts = key.split(".")
    if parts[0] == "wordings" and len(parts) == 3:
        return f"{parts[1]}_{parts[2]}"
    if parts[0] == "options":
        return "options-0-value"
    if parts[0] == "show_if":
        return "show_if_question"
    return position_key(key)


def publication_list(version: QuestionnaireVersion) -> list[tuple[str, str]]:
    """What stops the draft from being published, each as (link to its input, sentence)."""
    texts = {"title": _("Title"), "intro": _("Introduction")}
    questions = version.questions
    found = []
    draft_url = url_for(".draft", questionnaire_id=version.questionnaire_id)
    for key, message in authoring.publication_problems(version).items():
        parts = key.split(".")
        if parts[0] == "questions" and len(parts) > 2 and parts[1].isdigit():
            number = int(parts[1])
            question = questions[number - 1]
            rest = ".".join(parts[2:])
            href = (
                url_for(
                    ".edit_question",
                    questionnaire_id=version.questionnaire_id,
                    question_id=question.id,
                )
                + "#"
                + question_field_id(rest)
            )
            place = _(
                "Question %(number)s (%(code)s), %(field)s",
                number=number,
                code=question.code,
                field=_field_label(rest),
            )
        elif parts[0] in texts:
            href, place = f"{draft_url}#{position_key(key)}", texts[parts[0]]
        else:
            href, place = f"{draft_url}#kind", _("Questions")
        found.append((href, _("%(place)s: %(problem)s", place=place, problem=message)))
    return found


# --- pages ---------------------------------------------------------------------------------------


@bp.get("")
@requires(MANAGE)
def index() -> ResponseReturnValue:
    scope = program_scope(current_user)
    chosen = request.args.get("program")
    program = None
    if chosen:
        program = db.session.scalar(select(Program).where(Program.code == chosen))
        if program is None or not can(current_user, MANAGE, program.id):
            abort(404)
    language = current_locale()
    return render_template(
        "questionnaires/index.html",
        questionnaires=builder.in_scope(scope, program),
        program=program,
        language=language,
        latest_published=authoring.latest_published,
        draft_of=authoring.draft_of,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(MANAGE)
def create() -> ResponseReturnValue:
    language = current_locale()
    allowed = programs.in_scope(program_scope(current_user))
    form = NewQuestionnaireForm(program=request.args.get("program"))
    form.program.choices = [(p.code, f"{p.name(language)} ({p.code})") for p in allowed]
    form.start.choices = [("", _("An empty questionnaire"))] + list(
        builder.template_titles(language).items()
    )
    problems: dict[str, str] = {}
    if form.is_submitted():
        problems = {} if form.validate() else form_problems(form)
        if not problems:
            program = next(p for p in allowed if p.code == form.program.data)
            try:
                version = builder.start(
                    program,
                    form.code.data or "",
                    {"en": form.title_en.data or "", "fr": form.title_fr.data or ""},
                    form.start.data or None,
                )
            except AuthoringError as exc:
                db.session.rollback()  # a template's questions may have failed after the start
                problems = service_problems(exc.errors, position_key, form.code.id)
            else:
                db.session.commit()
                flash(
                    _("Questionnaire %(code)s created: its first draft.", code=form.code.data),
                    "info",
                )
                return _to_draft(version.questionnaire)
    return render_template("questionnaires/new.html", form=form, problems=problems), (
        400 if problems else 200
    )


@bp.get("/<questionnaire_id>")
@requires(MANAGE)
def show(questionnaire_id: str) -> ResponseReturnValue:
    questionnaire = questionnaire_in_scope(questionnaire_id)
    return render_template(
        "questionnaires/show.html",
        questionnaire=questionnaire,
        live=authoring.latest_published(questionnaire),
        draft=authoring.draft_of(questionnaire),
        language=current_locale(),
    )


def _draft_page(
    version: QuestionnaireVersion,
    texts: TextsForm,
    problems: dict[str, str] | None = None,
    refusals: list[tuple[str, str]] | None = None,
) -> ResponseReturnValue:
    failed = bool(problems or refusals)
    return render_template(
        "questionnaires/draft.html",
        version=version,
        questionnaire=version.questionnaire,
        texts=texts,
        problems=problems or {},
        refusals=refusals or [],
        kind_labels={name: kind.label() for name, kind in kinds.KINDS.items()},
        topic_labels={code: str(topic.label) for code, topic in topics.TOPICS.items()},
        language=current_locale(),
    ), (400 if failed else 200)


def _texts_form(version: QuestionnaireVersion) -> TextsForm:
    return TextsForm(
        data={
            "title_en": version.title_en,
            "title_fr": version.title_fr,
            "intro_en": version.intro_en,
            "intro_fr": version.intro_fr,
        }
    )


@bp.route("/<questionnaire_id>/draft", methods=["GET", "POST"])
@requires(MANAGE)
def draft(questionnaire_id: str) -> ResponseReturnValue:
    """The draft: its texts (saved by POST here) and its questions."""
    version = _draft(questionnaire_id)
    if version is None:
        return _overview(questionnaire_in_scope(questionnaire_id))
    form = _texts_form(version)
    if form.is_submitted():
        problems = {} if form.validate() else form_problems(form)
        if not problems:
            try:
                authoring.set_texts(
                    version,
                    {"en": form.title_en.data or "", "fr": form.title_fr.data or ""},
                    {"en": form.intro_en.data or "", "fr": form.intro_fr.data or ""},
                )
            except AuthoringError as exc:
                problems = service_problems(exc.errors, position_key, form.title_en.id)
            else:
                db.session.commit()
                flash(_("Saved the title and introduction."), "info")
                return _to_draft(version.questionnaire)
        return _draft_page(version, form, problems)
    return _draft_page(version, form)


@bp.post("/<questionnaire_id>/publish")
@requires(MANAGE)
def publish(questionnaire_id: str) -> ResponseReturnValue:
    version = _draft(questionnaire_id)
    if version is None:
        abort(404)
    refusals = publication_list(version)
    if refusals:
        return _draft_page(version, _texts_form(version), refusals=refusals)
    authoring.publish(version)
    db.session.commit()
    flash(
        _("Version %(number)s is published: it is now the live version.", number=version.number),
        "info",
    )
    return _overview(version.questionnaire)


@bp.post("/<questionnaire_id>/new-draft")
@requires(MANAGE)
def new_draft(questionnaire_id: str) -> ResponseReturnValue:
    """ "Edit" on a published questionnaire: its next draft, a copy of the live version."""
    questionnaire = questionnaire_in_scope(questionnaire_id)
    authoring.new_draft(questionnaire)
    db.session.commit()
    return _to_draft(questionnaire)


# --- questions -----------------------------------------------------------------------------------


def _question_page(
    version: QuestionnaireVersion,
    form: QuestionForm,
    question: Question | None,
    problems: dict[str, str],
) -> ResponseReturnValue:
    return render_template(
        "questionnaires/question.html",
        version=version,
        questionnaire=version.questionnaire,
        form=form,
        question=question,
        kind=form.chosen_kind(),
        problems=problems,
    ), (400 if problems else 200)


def _save_question(
    version: QuestionnaireVersion, form: QuestionForm, question: Question | None
) -> ResponseReturnValue:
    """Add (question None) or edit a question from its form; back to the draft when saved."""
    problems: dict[str, str] = {}
    if form.is_submitted() and request.form.get("action") != "refresh":
        problems = {} if form.validate() else form_problems(form)
        if not problems:
            try:
                if question is None:
                    question = authoring.add_question(version, form.spec())
                else:
                    authoring.edit_question(question, form.spec())
            except AuthoringError as exc:
                problems = service_problems(exc.errors, question_field_id, form.code.id)
            else:
                db.session.commit()
                flash(_("Saved the question %(code)s.", code=question.code), "info")
                return _to_draft(version.questionnaire, f"question-{question.code}")
    return _question_page(version, form, question, problems)


@bp.route("/<questionnaire_id>/draft/questions/new", methods=["GET", "POST"])
@requires(MANAGE)
def add_question(questionnaire_id: str) -> ResponseReturnValue:
    version = _draft(questionnaire_id)
    if version is None:
        abort(404)
    form = QuestionForm(kind=request.args.get("kind"))
    form.prepare(list(version.questions), current_locale())
    return _save_question(version, form, None)


@bp.route("/<questionnaire_id>/draft/questions/<question_id>", methods=["GET", "POST"])
@requires(MANAGE)
def edit_question(questionnaire_id: str, question_id: str) -> ResponseReturnValue:
    question = _question(questionnaire_id, question_id)
    version = question.version
    if version.is_published:
        return _overview(version.questionnaire)
    form = QuestionForm(data=QuestionForm.data_of(question))
    earlier = [q for q in version.questions if q.position < question.position]
    form.prepare(earlier, current_locale())
    return _save_question(version, form, question)


@bp.post("/<questionnaire_id>/draft/questions/<question_id>/move")
@requires(MANAGE)
def move_question(questionnaire_id: str, question_id: str) -> ResponseReturnValue:
    """Move up (direction=up) or down one place: buttons, usable with the keyboard alone."""
    question = _question(questionnaire_id, question_id)
    step = -1 if request.form.get("direction") == "up" else 1
    try:
        authoring.move_question(question, question.position + step)
    except AuthoringError as exc:
        flash(
            _(
                "The question %(code)s was not moved: %(reason)s.",
                code=question.code,
                reason="; ".join(exc.errors.values()),
            ),
            "error",
        )
    else:
        db.session.commit()
        flash(
            _(
                "Moved the question %(code)s to place %(number)s.",
                code=question.code,
                number=question.position,
            ),
            "info",
        )
    return _to_draft(question.version.questionnaire, f"question-{question.code}")


@bp.post("/<questionnaire_id>/draft/questions/<question_id>/remove")
@requires(MANAGE)
def remove_question(questionnaire_id: str, question_id: str) -> ResponseReturnValue:
    question = _question(questionnaire_id, question_id)
    questionnaire, code = question.version.questionnaire, question.code
    try:
        authoring.remove_question(question)
    except AuthoringError as exc:
        flash(
            _(
                "The question %(code)s was not removed: %(reason)s.",
                code=code,
                reason="; ".join(exc.errors.values()),
            ),
            "error",
        )
    else:
        db.session.commit()
        flash(_("Removed the question %(code)s.", code=code), "info")
    return _to_draft(questionnaire)
