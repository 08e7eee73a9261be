"""One survey per browser: the walk-in surveys this browser started, by point, in its session.

Flask's session cookie is signed (the browser cannot forge an entry) and HttpOnly; an entry is
the point's id, the invitation's id and when it was started, never a token. Within
WALK_IN_RESUME_HOURS a second visit of the same point resumes that survey (or says it was
answered) instead of starting another. A browser that drops its cookies gets a new survey: the
rate limit per address and the managers' counter of unusual hours bound that.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, session

SESSION_KEY = "walk_in"
#: Points remembered at once (a client rarely visits more than one office a day).
MAX_POINTS = 5


def _live(now: float) -> dict[str, list[Any]]:
    entries = session.get(SESSION_KEY)
    if not isinstance(entries, dict):
        return {}
    max_age = current_app.config["WALK_IN_RESUME_HOURS"] * 3600
    return {
        point: entry
        for point, entry in entries.items()
        if isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[1], int | float)
        and now - entry[1] < max_age
    }


def previous(point_id: str) -> str | None:
    """The invitation this browser started at this point lately, if any."""
    entry = _live(time.time()).get(point_id)
    return str(entry[0]) if entry else None


def remember(point_id: str, invitation_id: str) -> None:
    """This browser started `invitation_id` at the point (an older entry of it is replaced)."""
    now = time.time()
    live = {point: entry for point, entry in _live(now).items() if point != point_id}
    kept = sorted(live.items(), key=lambda item: item[1][1])[-(MAX_POINTS - 1) :]
    session[SESSION_KEY] = {**dict(kept), point_id: [invitation_id, int(now)]}
