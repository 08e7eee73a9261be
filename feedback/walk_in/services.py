"""Walk-in points and their visits, as services the views, the demo seed and the tests call.

A point is an office's open survey link (``/w/<token>``, on a printed poster). Each visit that
starts a survey stores a contact event through the normal ingest (source ``walk_in``, the point's
contact type, the attribute ``office``): the program's rule for that contact type decides the
questionnaire, and whether this visit is surveyed at all (sampling, quota, exclusions, active
dates). When the rule schedules it (its channel is :mod:`walk_in <feedback.walk_in.channel>`),
the visit is its delivery: the lifecycle moves the invitation to sent there and then, and the
browser gets the survey.

Abuse is bounded outside this module (the rate limit per client address, one survey per browser
session: see the views); here every visit, resumed survey and refused visit is counted by point
and hour, and an hour over WALK_IN_SUSPICIOUS_PER_HOUR visits is shown to the managers.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from feedback.audit.services import record
from feedback.bulk import on_postgres
from feedback.contacts.services import store_clean
from feedback.contacts.validation import CleanEvent
from feedback.db_types import new_id, utcnow
from feedback.distribution.simulate import SampleEvent, Simulation, simulate
from feedback.extensions import db
from feedback.i18n import current_locale
from feedback.invitations import lifecycle
from feedback.invitations.models import InvitationStatus
from feedback.programs.models import Program
from feedback.surveys.services import SurveyState, page_invitation, survey_state
from feedback.walk_in.models import DEFAULT_CONTACT_TYPE, WalkInHour, WalkInPoint

log = logging.getLogger(__name__)

#: The events of visits say where they come from.
SOURCE = "walk_in"
#: The open link's path: PUBLIC_BASE_URL + LINK_PATH + token.
LINK_PATH = "/w/"
#: Read off a poster and typed: no 0/o, 1/l/i. 12 of 31 symbols: about 59 bits, so nobody finds
#: a point by trying (the rate limit allows a few hundred tries a day per address).
TOKEN_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
TOKEN_LENGTH = 12
#: An office code goes into every visit's event (attribute `office`), into reports and filters.
OFFICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CONTACT_TYPE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
NAME_MAX = 200
#: How far back the managers' page looks for unusual hours.
ACTIVITY_DAYS = 7


class PointError(ValueError):
    """A point that cannot be made; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))


@dataclass(frozen=True)
class PointSpec:
    program: Program
    office_code: str
    name_en: str
    name_fr: str
    contact_type: str = DEFAULT_CONTACT_TYPE


def _validate(spec: PointSpec) -> None:
    errors: dict[str, str] = {}
    if not OFFICE_CODE.match(spec.office_code):
        errors["office_code"] = _(
            "Enter an office code of 1 to 64 letters, digits, dots, hyphens or underscores."
        )
    elif active_point(spec.program, spec.office_code) is not None:
        errors["office_code"] = _("This office already has an active walk-in point.")
    for name, value in (("name_en", spec.name_en), ("name_fr", spec.name_fr)):
        if not value.strip() or len(value) > NAME_MAX:
            errors[name] = _(
                "Enter the office's name, in at most %(max)s characters.", max=NAME_MAX
            )
    if not CONTACT_TYPE.match(spec.contact_type):
        errors["contact_type"] = _(
            "Enter a contact type of lower-case letters, digits, hyphens or underscores."
        )
    if errors:
        raise PointError(errors)


def _new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def _snapshot(point: WalkInPoint) -> dict[str, Any]:
    return {
        "program": point.program.code,
        "office_code": point.office_code,
        "name_en": point.name_en,
        "name_fr": point.name_fr,
        "contact_type": point.contact_type,
        "active": point.active,
    }


def create_point(spec: PointSpec) -> WalkInPoint:
    """Validate `spec` (PointError) and make its point, with a new token; audited. The caller
    commits."""
    _validate(spec)
    point = WalkInPoint(
        program=spec.program,
        program_id=spec.program.id,
        office_code=spec.office_code,
        name_en=spec.name_en.strip(),
        name_fr=spec.name_fr.strip(),
        contact_type=spec.contact_type,
        token=_new_token(),
        active=True,
    )
    db.session.add(point)
    db.session.flush()
    record("walk_in_point.create", point, None, _snapshot(point))
    return point


def deactivate_point(point: WalkInPoint) -> None:
    """The point's link stops starting surveys (its posters say the link is no longer in use);
    surveys already started can still be answered. Audited; the caller commits."""
    if not point.active:
        return
    point.active = False
    point.deactivated_at = utcnow()
    record("walk_in_point.deactivate", point, {"active": True}, {"active": False})


def active_point(program: Program, office_code: str) -> WalkInPoint | None:
    return db.session.scalar(
        select(WalkInPoint).where(
            WalkInPoint.program_id == program.id,
            WalkInPoint.office_code == office_code,
            WalkInPoint.active.is_(True),
        )
    )


def list_points(program_ids: Collection[str] | None) -> list[WalkInPoint]:
    """The points of these programs (None: every program), active ones first."""
    query = select(WalkInPoint).options(joinedload(WalkInPoint.program))
    if program_ids is not None:
        query = query.where(WalkInPoint.program_id.in_(program_ids))
    query = query.join(Program).order_by(
        WalkInPoint.active.desc(), Program.code, WalkInPoint.office_code, WalkInPoint.created_at
    )
    return list(db.session.scalars(query))


def point_by_token(token: str) -> WalkInPoint | None:
    if len(token) != TOKEN_LENGTH:
        return None
    return db.session.scalar(select(WalkInPoint).where(WalkInPoint.token == token))


def link(point: WalkInPoint) -> str:
    """The open link, as printed on the poster."""
    return f"{current_app.config['PUBLIC_BASE_URL']}{LINK_PATH}{point.token}"


# --- visits -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """What a visit got: "survey" (a new one), "resumed" (this browser's, still open),
    "answered" (this browser answered it already) or "no_survey" (the program's rule did not
    survey this visit: `reason` says why, e.g. "no_rule", "not_sampled")."""

    outcome: str
    invitation_id: str | None = None
    reason: str | None = None


def visit(point: WalkInPoint, language: str, previous: str | None = None) -> Visit:
    """A browser starts the point's survey, in `language`. `previous`: the invitation this
    browser got at this point lately (its session), which it resumes while it is open.
    Commits."""
    now = utcnow()
    if previous is not None:
        earlier = page_invitation(previous)
        state = survey_state(earlier) if earlier is not None else None
        if state is SurveyState.LIVE:
            _count(point.id, "resumed", now)
            db.session.commit()
            return Visit("resumed", previous)
        if state is SurveyState.COMPLETED:
            return Visit("answered", previous)
    event = CleanEvent(
        source=SOURCE,
        external_id=new_id(),
        program=point.program.code,
        contact_type=point.contact_type,
        occurred_at=now,
        language=language,
        # Nothing links two visits: each is a client of its own.
        reference=f"walk-in-{new_id()}",
        email=None,
        phone=None,
        timezone=None,
        attributes={"office": point.office_code},
    )
    (result,) = store_clean([event])
    summary = result.invitation
    assert result.status == "created" and summary is not None  # a new external id, every time
    _count(point.id, "visits", now)
    if summary.status is not InvitationStatus.SCHEDULED:
        db.session.commit()
        _log(point, "no_survey", summary.reason)
        return Visit("no_survey", reason=summary.reason)
    invitation = lifecycle.locked(summary.id)
    assert invitation is not None
    lifecycle.begin_sending(invitation)
    lifecycle.mark_sent(invitation, None, "walk_in_visit")
    db.session.commit()
    _log(point, "survey", None)
    return Visit("survey", summary.id)


def _log(point: WalkInPoint, outcome: str, reason: str | None) -> None:
    fields = {"point": point.id, "outcome": outcome, "reason": reason}
    log.info("walk-in visit", extra={"fields": fields})


def refused(point: WalkInPoint) -> None:
    """The rate limit refused a visit of `point` (counted for the managers). Commits."""
    _count(point.id, "refused", utcnow())
    db.session.commit()


def _count(point_id: str, column: str, now: datetime) -> None:
    """One more `column` (visits, resumed, refused) in the point's current hour."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    table = WalkInHour.__table__
    insert = postgresql.insert(table) if on_postgres() else sqlite.insert(table)
    values = {"point_id": point_id, "hour": hour, "visits": 0, "resumed": 0, "refused": 0}
    statement = insert.values({**values, column: 1}).on_conflict_do_update(
        index_elements=[table.c.point_id, table.c.hour],
        set_={column: table.c[column] + 1},
    )
    db.session.execute(statement)


# --- what the managers see ---------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """A point's visits lately: totals of the last 24 hours, and the unusual hours of the last
    ACTIVITY_DAYS days (more visits than `threshold`, or visits refused by the rate limit),
    newest first."""

    visits: int
    resumed: int
    refused: int
    threshold: int
    unusual_hours: list[WalkInHour]


def outlook(point: WalkInPoint) -> Simulation:
    """What a visit of the point would get now, and why: a visit's event decided by the very
    code ingest uses (distribution.simulate), written nowhere."""
    sample = SampleEvent(
        program=point.program,
        contact_type=point.contact_type,
        attributes={"office": point.office_code},
        client_ref=f"walk-in-{new_id()}",
        email=None,
        phone=None,
        language=current_locale(),
        timezone=None,
        occurred_at=utcnow(),
    )
    return simulate(sample)


def threshold() -> int:
    return int(current_app.config["WALK_IN_SUSPICIOUS_PER_HOUR"])


def activity(point: WalkInPoint, now: datetime | None = None) -> Activity:
    now = now or utcnow()
    limit = threshold()
    day = now - timedelta(hours=24)
    totals = db.session.execute(
        select(
            func.coalesce(func.sum(WalkInHour.visits), 0),
            func.coalesce(func.sum(WalkInHour.resumed), 0),
            func.coalesce(func.sum(WalkInHour.refused), 0),
        ).where(WalkInHour.point_id == point.id, WalkInHour.hour > day)
    ).one()
    unusual = db.session.scalars(
        select(WalkInHour)
        .where(
            WalkInHour.point_id == point.id,
            WalkInHour.hour > now - timedelta(days=ACTIVITY_DAYS),
            (WalkInHour.visits > limit) | (WalkInHour.refused > 0),
        )
        .order_by(WalkInHour.hour.desc())
    )
    return Activity(*(int(total) for total in totals), limit, list(unusual))


def unusual_hours(point_ids: Collection[str], now: datetime | None = None) -> dict[str, int]:
    """How many unusual hours each of these points had in the last ACTIVITY_DAYS days (one
    query, for the list of points)."""
    if not point_ids:
        return {}
    since = (now or utcnow()) - timedelta(days=ACTIVITY_DAYS)
    rows = db.session.execute(
        select(WalkInHour.point_id, func.count())
        .where(
            WalkInHour.point_id.in_(point_ids),
            WalkInHour.hour > since,
            (WalkInHour.visits > threshold()) | (WalkInHour.refused > 0),
        )
        .group_by(WalkInHour.point_id)
    )
    return {point_id: count for point_id, count in rows}
