"""Which survey this browser may answer: the invitations whose link it opened, in the session.

Flask's session cookie is signed (the client cannot forge an entry) and HttpOnly; it holds
invitation ids, never the token. An entry lasts SURVEY_SESSION_HOURS after the last page of that
survey (24 by default: more than the 20 hours WCAG 2.2.1 allows without a way to extend, so a
client answering slowly is not cut off), and at most a few surveys are kept, newest last, so two
links opened in two tabs each post their own answers.
"""

from __future__ import annotations

import time

from flask import current_app, session

from feedback.extensions import db
from feedback.invitations.models import Invitation

SESSION_KEY = "surveys"
MAX_SURVEYS = 5


def _entries() -> list[list[object]]:
    entries = session.get(SESSION_KEY)
    return [e for e in entries if isinstance(e, list) and len(e) == 2] if entries else []


def _live(now: float) -> list[list[object]]:
    max_age = current_app.config.get("SURVEY_SESSION_HOURS", 24) * 3600
    return [e for e in _entries() if isinstance(e[1], int | float) and now - e[1] < max_age]


def remember(invitation: Invitation) -> None:
    """This browser may answer `invitation` (it had the link); refresh the entry's time."""
    now = time.time()
    others = [e for e in _live(now) if e[0] != invitation.id]
    session[SESSION_KEY] = [*others[-(MAX_SURVEYS - 1) :], [invitation.id, int(now)]]


def invitation(wanted: str | None = None) -> Invitation | None:
    """The invitation the form posts for (`wanted`), else the one opened last; None if the
    session holds no live entry for it (never opened here, or it ended)."""
    live = _live(time.time())
    found = [e for e in live if e[0] == wanted] if wanted else live[-1:]
    if not found:
        return None
    return db.session.get(Invitation, found[0][0])
