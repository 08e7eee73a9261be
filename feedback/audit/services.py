"""Writing the audit log (one helper, called by the services that change things) and reading it.

`record` is called inside the services (accounts, questionnaires, distribution), not the views,
so that a change from the web, the command line or the demo seed is recorded alike. It keeps only
what changed, never a secret: a field named in SECRET_FIELDS is written as "(changed)".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

import click
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Select, select

from feedback.audit.models import AuditEvent
from feedback.extensions import db

#: Never written to the log, whoever passes them: the value becomes CHANGED.
SECRET_FIELDS = frozenset({"password", "password_hash", "secret", "secret_hash", "token"})
CHANGED = "(changed)"
CLI_ACTOR = "cli"
SYSTEM_ACTOR = "system"
CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "program", "before", "after")


class Identified(Protocol):
    @property
    def id(self) -> Any: ...


def _plain(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-ready values (dates and enums as text), secrets masked."""
    if values is None:
        return None
    masked = {key: CHANGED if key in SECRET_FIELDS else value for key, value in values.items()}
    return json.loads(json.dumps(masked, default=str))


def _actor(actor: str | None) -> tuple[str | None, str]:
    """(user id, label) of whoever is acting: the signed-in staff user, else the command line,
    else the system (the demo seed, a task)."""
    if actor is not None:
        return None, actor
    if has_request_context() and current_user.is_authenticated:
        return current_user.id, current_user.email
    if click.get_current_context(silent=True) is not None:
        return None, CLI_ACTOR
    return None, SYSTEM_ACTOR


def record(
    action: str,
    obj: Identified,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    *,
    program_id: str | None = None,
    actor: str | None = None,
) -> AuditEvent | None:
    """Add a row for `action` ("<object type>.<verb>") on `obj`; the caller's commit keeps it.

    With both `before` and `after`, only the fields that differ are kept, and nothing is
    recorded when none does. `program_id` defaults to the object's own, if it has one.
    """
    old, new = _plain(before), _plain(after)
    if old is not None and new is not None:
        changed = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
        if not changed:
            return None
        old = {key: old[key] for key in changed if key in old}
        new = {key: new[key] for key in changed if key in new}
    user_id, label = _actor(actor)
    event = AuditEvent(
        actor_user_id=user_id,
        actor=label,
        action=action,
        object_type=action.partition(".")[0],
        object_id=str(obj.id),
        program_id=program_id or getattr(obj, "program_id", None),
        before=old,
        after=new,
    )
    db.session.add(event)
    return event


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for; None (or empty) means no condition. Dates are UTC days."""

    object_type: str | None = None
    actor: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    program_id: str | None = None


def _query(wanted: AuditFilter) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent)
    if wanted.object_type:
        query = query.where(AuditEvent.object_type == wanted.object_type)
    if wanted.actor:
        query = query.where(AuditEvent.actor == wanted.actor)
    if wanted.program_id:
        query = query.where(AuditEvent.program_id == wanted.program_id)
    if wanted.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(wanted.date_from, time(), UTC))
    if wanted.date_to:
        end = datetime.combine(wanted.date_to + timedelta(days=1), time(), UTC)
        query = query.where(AuditEvent.at < end)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def events_page(wanted: AuditFilter, page: int, per_page: int) -> tuple[list[AuditEvent], bool]:
    """The events of page `page` (from 1), newest first, and whether a next page exists."""
    query = _query(wanted).offset((max(page, 1) - 1) * per_page).limit(per_page + 1)
    rows = list(db.session.scalars(query))
    return rows[:per_page], len(rows) > per_page


def filter_choices() -> tuple[list[str], list[str]]:
    """The object types and the actors found in the log, for the filter's lists."""
    types = select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)
    actors = select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)
    return list(db.session.scalars(types)), list(db.session.scalars(actors))


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (texts come from staff input)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(
    wanted: AuditFilter, program_codes: Mapping[str, str], batch: int = 500
) -> Iterator[str]:
    """The filtered log as CSV, a line at a time (streamed: the log may be long); programs by
    their code, from `program_codes` (id -> code)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def line(cells: list[Any]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        return out.getvalue()

    yield line(list(CSV_COLUMNS))
    for event in db.session.scalars(_query(wanted).execution_options(yield_per=batch)):
        yield line(
            [
                event.at.isoformat(),
                _cell(event.actor),
                event.action,
                event.object_type,
                event.object_id,
                program_codes.get(event.program_id or "", event.program_id or ""),
                "" if event.before is None else _cell(event.before),
                "" if event.after is None else _cell(event.after),
            ]
        )
