"""What the builder's pages need besides :mod:`.authoring`: the questionnaires in a user's
scope, and starting a questionnaire from scratch or from a template of the library."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from feedback.extensions import db
from feedback.programs.models import Program
from feedback.questionnaires import authoring, library, transfer
from feedback.questionnaires.authoring import AuthoringError
from feedback.questionnaires.models import Questionnaire, QuestionnaireVersion


def in_scope(scope: set[str] | None, program: Program | None = None) -> list[Questionnaire]:
    """The questionnaires of the programs in `scope` (None: every program), or of `program`,
    by program and code."""
    query = (
        select(Questionnaire)
        .join(Program)
        .options(selectinload(Questionnaire.versions))
        .order_by(Program.code, Questionnaire.code)
    )
    if scope is not None:
        query = query.where(Questionnaire.program_id.in_(scope))
    if program is not None:
        query = query.where(Questionnaire.program_id == program.id)
    return list(db.session.scalars(query))


def template_titles(language: str) -> dict[str, str]:
    """Each template of the library by name, with its library title in `language` (e.g. "Public
    service experience", the name the documentation gives it, not the title clients read)."""
    return {
        template.name: template.title.get(language) or template.name
        for template in library.templates()
    }


def start(
    program: Program,
    code: str,
    title: Mapping[str, str],
    template: str | None = None,
) -> QuestionnaireVersion:
    """A new questionnaire's first draft: empty, or the template's questions and texts (a title
    given here replaces the template's). The caller commits; AuthoringError says what is wrong
    ("code", "title.en", ...)."""
    document = None
    if template:
        if template not in library.names():
            raise AuthoringError({"template": _("no such template")})
        document = library.template(template) | {"program": program.code, "code": code}
        title = {lang: title.get(lang) or document["title"].get(lang, "") for lang in ("en", "fr")}
    version = authoring.create_questionnaire(program, code, title, (document or {}).get("intro"))
    if document is not None:
        document["title"] = title
        try:
            version = transfer.import_document(document)
        except transfer.FileError as exc:  # a template the library's own tests keep valid
            raise AuthoringError({"template": "; ".join(exc.problems)}) from exc
    return version
