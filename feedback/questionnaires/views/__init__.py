"""The questionnaire builder's pages: questionnaires by program, a draft's texts and questions,
publishing, the next draft, and the preview. Views are a few lines around
:mod:`feedback.questionnaires.authoring` (and :mod:`..builder`); every one needs
MANAGE_QUESTIONNAIRES and answers 404 for a questionnaire of a program outside the user's."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("questionnaires", __name__, url_prefix="/questionnaires")

from feedback.questionnaires.views import pages, preview  # noqa: E402, F401  (their routes)
