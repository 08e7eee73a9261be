"""Which survey this browser may answer: the invitations whose link it opened, in the session.

Flask's session cookie is signed (the client cannot forge an entry) and HttpOnly; it holds
invitation ids, never the token. An entry lasts SURVEY_SESSION_HOURS after the last page of that
survey, give or take REFRESH_SECONDS (24 by default: more than the 20 hours WCAG 2.2.1 allows
without a way to extend, so a client answering slowly is not cut off), and at most a few surveys
are kept, newest last, so two links opened in two tabs each post their own answers.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, session

from feedback.surveys.services import PageInvitation, page_invitation

SESSION_KEY = "surveys"
MAX_SURVEYS = 5
#: An entry's time is rewritten at most this often. Rewriting it on every page would re-sign
#: and re-send the cookie with every response; this way a page shown again sends none, and a
#: survey's session ends at most this much earlier than SURVEY_SESSION_HOURS after its last page.
REFRESH_SECONDS = 600


def _entries() -> list[list[Any]]:
    entries = session.get(SESSION_KEY)
    return [e for e in entries if isinstance(e, list) and len(e) == 2] if entries else []


def _live(now: float) -> list[list[Any]]:
    max_age = current_app.config.get("SURVEY_SESSION_HOURS", 24) * 3600
    return [e for e in _entries() if isinstance(e[1], int | float) and now - e[1] < max_age]


def remember(invitation: PageInvitation) -> None:
    """This browser may answer `invitation` (it had the link): its entry becomes the newest,
    with the time refreshed; the session is left as it is when it already says so (within
    REFRESH_SECONDS)."""
    now = time.time()
    live = _live(now)
    newest = live[-1] if live else None
    if newest and newest[0] == invitation.id and now - newest[1] < REFRESH_SECONDS:
        return
    others = [e for e in live if e[0] != invitation.id]
    session[SESSION_KEY] = [*others[-(MAX_SURVEYS - 1) :], [invitation.id, int(now)]]


def invitation(wanted: str | None = None) -> PageInvitation | None:
    """The invitation the form posts for (`wanted`), else the one opened last; None if the
    session holds no live entry for it (never opened here, or it ended)."""
    live = _live(time.time())
    found = [e for e in live if e[0] == wanted] if wanted else live[-1:]
    if not found:
        return None
    return page_invitation(found[0][0])  # with its program's names, which the page shows
