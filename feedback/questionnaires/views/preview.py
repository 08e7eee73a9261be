"""The preview of a draft or a version as clients meet it: the web page in each language (also
in a frame as wide as a phone), the SMS conversation with each text's segments and encoding,
and what an automated call says, in order."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_babel import force_locale

from feedback.governance.permissions import Permission, requires
from feedback.i18n import SUPPORTED
from feedback.questionnaires.views import bp
from feedback.questionnaires.views.pages import version_in_scope
from feedback.sms import preview as sms_preview
from feedback.surveys.views import preview_page
from feedback.voice import preview as voice_preview

#: The width of the phone frame, in CSS pixels (a common phone's).
PHONE_WIDTH = 390


@bp.get("/<questionnaire_id>/versions/<int:number>/preview")
@requires(Permission.MANAGE_QUESTIONNAIRES)
def preview(questionnaire_id: str, number: int) -> ResponseReturnValue:
    version = version_in_scope(questionnaire_id, number)
    return render_template(
        "questionnaires/preview.html",
        version=version,
        questionnaire=version.questionnaire,
        languages=SUPPORTED,
        sms={lang: sms_preview.conversation(version, lang) for lang in SUPPORTED},
        max_segments=sms_preview.MAX_SEGMENTS,
        voice={lang: voice_preview.prompts(version, lang) for lang in SUPPORTED},
        phone_width=PHONE_WIDTH,
    )


@bp.get("/<questionnaire_id>/versions/<int:number>/page/<lang>")
@requires(Permission.MANAGE_QUESTIONNAIRES)
def page(questionnaire_id: str, number: int, lang: str) -> ResponseReturnValue:
    """The survey page of the version in `lang`, as the client sees it: also shown in a frame
    of the preview page (this page alone may be framed, by the app's own pages)."""
    if lang not in SUPPORTED:
        abort(404)
    version = version_in_scope(questionnaire_id, number)
    with force_locale(lang):
        html = preview_page(version.id, version.questionnaire.program.name(lang))
    return html, 200, {"X-Frame-Options": "SAMEORIGIN", "Cache-Control": "no-store"}
