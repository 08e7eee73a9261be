"""Shared helpers for the survey tests: a live invitation and the CSRF token of a rendered form."""

from __future__ import annotations

import re

from feedback.invitations.models import Invitation
from feedback.questionnaires.models import QuestionnaireVersion
from tests.factories import make_sent_invitation, make_setup

TOKEN = "test-token-0123456789abcdefghijklmnopqrstuvwxyz"
FULL_ANSWERS = {
    "q_overall": "4",
    "q_recommend": "9",
    "q_resolved": "1",
    "q_how": "online",
    "q_comment": "  Shorter queues, please.  ",
}


def live_invitation(**kwargs: object) -> tuple[QuestionnaireVersion, Invitation]:
    """A published questionnaire and a sent invitation to it, reachable at /s/<TOKEN>."""
    _program, version, _rule = make_setup()
    return version, make_sent_invitation(version, TOKEN, **kwargs)  # type: ignore[arg-type]


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found, "the page has no CSRF token field"
    return found.group(1)
