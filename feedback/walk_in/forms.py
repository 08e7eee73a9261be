"""Forms of the walk-in pages: a new point (staff), and the visitor's choice of language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from feedback.i18n import SUPPORTED
from feedback.walk_in.models import DEFAULT_CONTACT_TYPE


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _name(label: Any) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message=_l("Enter the office's name in this language.")),
            Length(max=80, message=_l("The name must be 80 characters or fewer.")),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "off"},
    )


class PointForm(FlaskForm):
    """The service (walk_in.services.create_point) checks the rest: its errors are shown beside
    these fields, by name."""

    program = SelectField(
        _l("Program"), choices=[], validators=[InputRequired(message=_l("Choose a program."))]
    )
    office_code = StringField(
        _l("Office code"),
        validators=[DataRequired(message=_l("Enter the office's code."))],
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    name_en = _name(_l("Office name in English"))
    name_fr = _name(_l("Office name in French"))
    contact_type = StringField(
        _l("Contact type"),
        default=DEFAULT_CONTACT_TYPE,
        validators=[DataRequired(message=_l("Enter the contact type of the visits."))],
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class VisitForm(FlaskForm):
    """The open link's page: the button pressed says the language of the survey."""

    language = RadioField(
        choices=[SelectChoice(language, language) for language in SUPPORTED],
        validators=[InputRequired()],
    )
