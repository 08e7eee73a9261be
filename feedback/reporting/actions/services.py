"""Actions against irritant themes: listing them in a user's scope, recording, changing and
deleting one (every change written to the audit log), and `actions_for` the report.

The rules (both texts, a known theme, an owner on the program's staff) live here so that the web
pages, the demo seed and the tests go through the same checks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from feedback.accounts.models import Role, User, user_programs
from feedback.audit.services import record
from feedback.extensions import db
from feedback.programs.models import Program
from feedback.reporting.actions.models import MAX_TEXT, ActionStatus, ThemeAction
from feedback.reporting.themes.taxonomy import THEMES

LANGUAGES = ("en", "fr")


class ActionError(ValueError):
    """What is wrong, by field ("text_fr", "owner", ...), translated."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {value}" for key, value in self.errors.items()))


@dataclass(frozen=True)
class ActionSpec:
    """An action as a program manager writes it."""

    theme: str
    text: Mapping[str, str]  # "en" / "fr" -> text
    status: ActionStatus
    action_date: date
    owner: User | None = None


def actions_for(
    programs: Collection[str] | None, themes: Collection[str] | None = None
) -> list[ThemeAction]:
    """The actions of `programs` (ids; None: every program) against `themes` (codes; None: any),
    by program, theme, then most recent first. Their program and owner are loaded with them."""
    query = select(ThemeAction).options(
        selectinload(ThemeAction.program), selectinload(ThemeAction.owner)
    )
    if programs is not None:
        query = query.where(ThemeAction.program_id.in_(programs))
    if themes is not None:
        query = query.where(ThemeAction.theme.in_(themes))
    query = query.join(Program, Program.id == ThemeAction.program_id).order_by(
        Program.code, ThemeAction.theme, ThemeAction.action_date.desc(), ThemeAction.id
    )
    return list(db.session.scalars(query))


def possible_owners(program_ids: Collection[str] | None) -> list[User]:
    """Who may own an action of these programs (None: every program): the active staff users
    of the programs, whatever their role, and the administrators; by email."""
    on_programs = select(user_programs.c.user_id)
    if program_ids is not None:
        on_programs = on_programs.where(user_programs.c.program_id.in_(program_ids))
    query = select(User).where(
        User.active.is_(True), or_(User.role == Role.ADMIN, User.id.in_(on_programs))
    )
    return list(db.session.scalars(query.order_by(User.email)))


def _is_staff_of(user: User, program_id: str) -> bool:
    return user.active and (
        user.role is Role.ADMIN or program_id in {program.id for program in user.programs}
    )


def _problems(program: Program, spec: ActionSpec) -> dict[str, str]:
    errors: dict[str, str] = {}
    theme = THEMES.get(spec.theme)
    if theme is None or theme.praise:  # praise is not an irritant to act on
        errors["theme"] = _("Choose a theme from the list.")
    missing = {
        "en": _("Enter what was done in English."),
        "fr": _("Enter what was done in French."),
    }
    for lang in LANGUAGES:
        text = (spec.text.get(lang) or "").strip()
        if not text:
            errors[f"text_{lang}"] = missing[lang]
        elif len(text) > MAX_TEXT:
            errors[f"text_{lang}"] = _("Use %(limit)s characters or fewer.", limit=MAX_TEXT)
    if spec.owner is not None and not _is_staff_of(spec.owner, program.id):
        errors["owner"] = _("Choose someone who works on this program.")
    return errors


def _snapshot(action: ThemeAction) -> dict[str, Any]:
    """What the audit log keeps of an action (the owner by email, as the pages show it)."""
    return {
        "theme": action.theme,
        "text_en": action.text_en,
        "text_fr": action.text_fr,
        "status": action.status.value,
        "action_date": action.action_date.isoformat(),
        "owner": action.owner.email if action.owner else None,
    }


def _apply(action: ThemeAction, spec: ActionSpec) -> None:
    action.theme = spec.theme
    action.text_en = spec.text["en"].strip()
    action.text_fr = spec.text["fr"].strip()
    action.status = spec.status
    action.action_date = spec.action_date
    action.owner = spec.owner


def create_action(program: Program, spec: ActionSpec) -> ThemeAction:
    """A new action of `program`. The caller commits."""
    errors = _problems(program, spec)
    if errors:
        raise ActionError(errors)
    action = ThemeAction(program=program, program_id=program.id)
    _apply(action, spec)
    db.session.add(action)
    db.session.flush()
    record("action.create", action, None, {"program": program.code, **_snapshot(action)})
    return action


def update_action(action: ThemeAction, spec: ActionSpec) -> ThemeAction:
    """Change an action (not its program). The caller commits."""
    errors = _problems(action.program, spec)
    if errors:
        raise ActionError(errors)
    before = _snapshot(action)
    _apply(action, spec)
    db.session.flush()
    record("action.edit", action, before, _snapshot(action))
    return action


def delete_action(action: ThemeAction) -> None:
    """Delete an action; the audit log keeps what it said. The caller commits."""
    record("action.delete", action, _snapshot(action), None)
    db.session.delete(action)
    db.session.flush()
