"""Likelihood to recommend, 0-10: the report's net promoter score (9-10 less 0-6)."""

from __future__ import annotations

from flask_babel import gettext as _

from feedback.questionnaires.kinds.base import AskedQuestion, Scale, ScaleKind


class Nps(ScaleKind):
    name = "nps"
    figure = "nps"
    scale = Scale(low=0, high=10, top_from=9, bottom_to=6)

    def label(self) -> str:
        return _("Likelihood to recommend, 0 to 10")

    def ends(self) -> tuple[str, str]:
        return _("Not at all likely"), _("Extremely likely")

    def sms_hint(self) -> str:
        return _(
            "Reply with a number from %(low)s to %(high)s (%(high)s = extremely likely).",
            low=self.scale.low,
            high=self.scale.high,
        )

    def voice_instructions(self, question: AskedQuestion, language: str) -> str:
        return _(
            "Press a number from %(low)s to %(high)s, %(high)s meaning extremely likely, "
            "then the pound key.",
            low=self.scale.low,
            high=self.scale.high,
        )
