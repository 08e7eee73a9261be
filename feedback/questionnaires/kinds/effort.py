"""Customer effort, 1-7 (1 very difficult, 7 very easy): the report's effort figure (its mean,
and the share of low effort, 5 to 7)."""

from __future__ import annotations

from flask_babel import gettext as _

from feedback.questionnaires.kinds.base import AskedQuestion, Scale, ScaleKind


class Effort(ScaleKind):
    name = "effort"
    figure = "effort"
    scale = Scale(low=1, high=7, top_from=5)

    def label(self) -> str:
        return _("Effort, 1 (very difficult) to 7 (very easy)")

    def ends(self) -> tuple[str, str]:
        return _("Very difficult"), _("Very easy")

    def sms_hint(self) -> str:
        return _(
            "Reply with a number from %(low)s to %(high)s (%(high)s = very easy).",
            low=self.scale.low,
            high=self.scale.high,
        )

    def voice_instructions(self, question: AskedQuestion, language: str) -> str:
        return _(
            "Press a number from %(low)s to %(high)s, %(high)s meaning very easy.",
            low=self.scale.low,
            high=self.scale.high,
        )
