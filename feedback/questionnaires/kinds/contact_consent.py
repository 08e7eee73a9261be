"""May we contact you about your answers? A yes or no (stored as 1 or 0, asked on the web, by
text and on the phone exactly like :class:`.YesNo`), whose "yes" lets a follow-up reach the
client (feedback.follow_ups): the kind, not its wording, says that the question asks consent.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

from flask_babel import gettext as _

from feedback.questionnaires.kinds.yes_no import YesNo


class ContactConsent(YesNo):
    name = "contact_consent"
    #: The question as an author may start from, in both languages (kinds hold no state).
    suggested_text: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            "en": "May we contact you about your answers?",
            "fr": "Pouvons-nous communiquer avec vous au sujet de vos réponses?",
        }
    )

    def label(self) -> str:
        return _("Consent to be contacted (yes or no)")

    @staticmethod
    def consented(value_int: int | None) -> bool:
        """Whether a stored answer (1 or 0) says yes."""
        return value_int == 1
