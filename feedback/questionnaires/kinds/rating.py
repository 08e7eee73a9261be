"""Satisfaction on a 1-5 scale: the report's satisfaction (top two boxes, 4 and 5) and mean."""

from __future__ import annotations

from flask_babel import gettext as _

from feedback.questionnaires.kinds.base import AskedQuestion, Scale, ScaleKind


class Rating(ScaleKind):
    name = "rating"
    figure = "satisfaction"
    scale = Scale(low=1, high=5, top_from=4)

    def label(self) -> str:
        return _("Satisfaction, 1 to 5")

    def ends(self) -> tuple[str, str]:
        return _("Very poor"), _("Very good")

    def sms_hint(self) -> str:
        return _(
            "Reply with a number from %(low)s to %(high)s (%(high)s = very good).",
            low=self.scale.low,
            high=self.scale.high,
        )

    def voice_instructions(self, question: AskedQuestion, language: str) -> str:
        return _(
            "Press a number from %(low)s to %(high)s, %(high)s being the best.",
            low=self.scale.low,
            high=self.scale.high,
        )
