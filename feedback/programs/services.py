"""Programs and their contact types: creating one (administrators), changing its names, time
zone, contact types and reportable attributes (its managers). Every change is written to the
audit log."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import available_timezones

from flask_babel import gettext as _
from sqlalchemy import select

from feedback.audit.services import record
from feedback.extensions import db
from feedback.programs.models import Program

CODE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
LANGUAGES = ("en", "fr")
MAX_NAME = 200
#: A reportable attribute's name (an event attribute reporting may group by), and how many a
#: program may declare: each one multiplies the fact rows and shrinks the cells.
ATTRIBUTE_NAME = re.compile(r"[a-z0-9_]{1,40}")
MAX_REPORTABLE = 5


class ProgramError(ValueError):
    """What is wrong, by field ("name.fr", "contact_types.2.code"), translated."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {value}" for key, value in self.errors.items()))


@dataclass(frozen=True)
class ProgramSpec:
    """A program's settings as its managers write them; `contact_types` as stored:
    [{"code": "call", "en": "Call centre call", "fr": "Appel au centre d'appels"}, ...]."""

    name: Mapping[str, str]
    timezone: str
    contact_types: Sequence[Mapping[str, str]] = ()
    reportable_attributes: Sequence[str] = ()


def in_scope(scope: set[str] | None) -> list[Program]:
    """The programs whose ids are in `scope` (None: every program), by code."""
    query = select(Program).order_by(Program.code)
    if scope is not None:
        query = query.where(Program.id.in_(scope))
    return list(db.session.scalars(query))


def _code_rule() -> str:
    return _("use 1 to 64 lower-case letters, digits, - or _, starting with a letter")


def _problems(spec: ProgramSpec) -> dict[str, str]:
    errors: dict[str, str] = {}
    missing = {"en": _("Enter the name in English."), "fr": _("Enter the name in French.")}
    for lang in LANGUAGES:
        name = (spec.name.get(lang) or "").strip()
        if not name:
            errors[f"name.{lang}"] = missing[lang]
        elif len(name) > MAX_NAME:
            errors[f"name.{lang}"] = _("must be %(limit)s characters or fewer", limit=MAX_NAME)
    if spec.timezone not in available_timezones():
        errors["timezone"] = _("Choose a time zone from the list.")
    seen: set[str] = set()
    for number, contact_type in enumerate(spec.contact_types, 1):
        code = contact_type.get("code") or ""
        if not CODE.match(code):
            errors[f"contact_types.{number}.code"] = _code_rule()
        elif code in seen:
            errors[f"contact_types.{number}.code"] = _("two contact types have this code")
        seen.add(code)
        for lang in LANGUAGES:
            if not (contact_type.get(lang) or "").strip():
                errors[f"contact_types.{number}.{lang}"] = missing[lang]
    names = spec.reportable_attributes
    if any(not ATTRIBUTE_NAME.fullmatch(name) for name in names):
        errors["reportable_attributes"] = _(
            "use attribute names of 1 to 40 lower-case letters, digits or _, separated by commas"
        )
    elif len(set(names)) > MAX_REPORTABLE:
        errors["reportable_attributes"] = _(
            "name at most %(limit)s attributes", limit=MAX_REPORTABLE
        )
    return errors


def _settings(program: Program) -> dict[str, object]:
    return {
        "name_en": program.name_en,
        "name_fr": program.name_fr,
        "timezone": program.timezone,
        "contact_types": list(program.contact_types or []),
        "reportable_attributes": list(program.reportable_attributes or []),
    }


def _apply(program: Program, spec: ProgramSpec) -> None:
    program.name_en = spec.name["en"].strip()
    program.name_fr = spec.name["fr"].strip()
    program.timezone = spec.timezone
    program.contact_types = [
        {"code": c["code"], "en": c["en"].strip(), "fr": c["fr"].strip()}
        for c in spec.contact_types
    ]
    program.reportable_attributes = sorted(set(spec.reportable_attributes))


def create_program(code: str, spec: ProgramSpec) -> Program:
    """A new program. The caller commits."""
    errors = _problems(spec)
    if not CODE.match(code or ""):
        errors["code"] = _code_rule()
    elif db.session.scalar(select(Program.id).where(Program.code == code)):
        errors["code"] = _("a program already has the code %(code)r", code=code)
    if errors:
        raise ProgramError(errors)
    program = Program(code=code)
    _apply(program, spec)
    db.session.add(program)
    db.session.flush()
    record(
        "program.create", program, None, {"code": code, **_settings(program)}, program_id=program.id
    )
    return program


def update_program(program: Program, spec: ProgramSpec) -> Program:
    """Change a program's names, time zone, contact types and reportable attributes (facts
    written before keep the groups of their time until rebuilt). The caller commits."""
    errors = _problems(spec)
    if errors:
        raise ProgramError(errors)
    before = _settings(program)
    _apply(program, spec)
    db.session.flush()
    record("program.edit", program, before, _settings(program), program_id=program.id)
    return program
