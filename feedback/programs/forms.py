"""The forms of the program pages: names, time zone, contact types and reportable attributes
(and a new one's code)."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField
from wtforms.validators import InputRequired

from feedback.staff_forms import strip

#: Blank contact type rows under the existing ones, to add new ones.
BLANK_ROWS = 2


class ContactTypeForm(Form):
    code = StringField(_l("Code"), filters=[strip], render_kw={"spellcheck": "false"})
    en = StringField(_l("Name in English"), filters=[strip], render_kw={"lang": "en"})
    fr = StringField(_l("Name in French"), filters=[strip], render_kw={"lang": "fr"})


#: Canada's zones, offered first (the rest of the world follows).
CANADA = (
    "America/St_Johns",
    "America/Halifax",
    "America/Moncton",
    "America/Toronto",
    "America/Winnipeg",
    "America/Regina",
    "America/Edmonton",
    "America/Vancouver",
    "America/Whitehorse",
)


def timezone_choices() -> dict[str, list[str]]:
    """Groups of a select (optgroups): Canada's zones, then every other one by name."""
    others = sorted(available_timezones() - set(CANADA))
    return {str(_l("Canada")): list(CANADA), str(_l("Other time zones")): others}


#: Made before ProgramForm's fields so that the new program's form lists them in the page's order
#: (WTForms orders fields by when they were made).
_CODE = StringField(
    _l("Code"),
    validators=[InputRequired(_l("Enter a code for the program."))],
    filters=[strip],
    render_kw={"spellcheck": "false"},
)


class ProgramForm(FlaskForm):
    name_en = StringField(_l("Name in English"), filters=[strip], render_kw={"lang": "en"})
    name_fr = StringField(_l("Name in French"), filters=[strip], render_kw={"lang": "fr"})
    timezone = SelectField(_l("Time zone"), default="America/Toronto")
    contact_types = FieldList(FormField(ContactTypeForm))
    reportable_attributes = StringField(
        _l("Reportable attributes"), filters=[strip], render_kw={"spellcheck": "false"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        filled = len(self.filled_contact_types())
        while len(self.contact_types) < filled + BLANK_ROWS:
            self.contact_types.append_entry()

    def filled_contact_types(self) -> list[dict[str, str]]:
        """The rows with anything in them: a cleared row removes its contact type."""
        return [
            {key: row.get(key) or "" for key in ("code", "en", "fr")}
            for row in self.contact_types.data
            if any(row.get(key) for key in ("code", "en", "fr"))
        ]

    def attribute_names(self) -> list[str]:
        """The names typed, separated by commas or spaces."""
        return [name for name in re.split(r"[\s,]+", self.reportable_attributes.data or "") if name]


class NewProgramForm(ProgramForm):
    code = _CODE
