"""A questionnaire with conditions, for the tests of every channel and of the browser."""

from __future__ import annotations

from feedback.programs.models import Program
from feedback.questionnaires import authoring
from feedback.questionnaires.authoring import QuestionSpec
from feedback.questionnaires.models import QuestionnaireVersion

REASONS = (
    {"value": "wait", "en": "The wait", "fr": "L'attente"},
    {"value": "unclear", "en": "Unclear information", "fr": "Information peu claire"},
    {"value": "other", "en": "Something else", "fr": "Autre chose"},
)


def texts(en: str, fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr}


def conditional(program: Program) -> QuestionnaireVersion:
    """1 resolved (yes/no); 2 why, several reasons, required, when not resolved; 3 other, in
    words, when one reason is "other" (a chain); 4 rating; 5 praise, in words, for 4 or 5."""
    version = authoring.create_questionnaire(
        program, "conditional", texts("Your visit", "Votre visite")
    )
    for spec in (
        QuestionSpec(
            code="resolved",
            kind="yes_no",
            required=True,
            text=texts("Was your question resolved?", "Votre question a-t-elle été réglée?"),
        ),
        QuestionSpec(
            code="why",
            kind="multiple_choice",
            required=True,
            options=REASONS,
            text=texts("What got in the way?", "Qu'est-ce qui a nui?"),
            show_if={"question": "resolved", "values": ["no"]},
        ),
        QuestionSpec(
            code="other",
            kind="free_text",
            text=texts("What else got in the way?", "Quoi d'autre a nui?"),
            show_if={"question": "why", "values": ["other"]},
        ),
        QuestionSpec(
            code="rating",
            kind="rating",
            text=texts("How would you rate our service?", "Comment évaluez-vous notre service?"),
        ),
        QuestionSpec(
            code="praise",
            kind="free_text",
            text=texts("What did we do well?", "Qu'avons-nous bien fait?"),
            show_if={"question": "rating", "values": ["4", "5"]},
        ),
    ):
        authoring.add_question(version, spec)
    return authoring.publish(version)
