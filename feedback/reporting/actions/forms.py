"""The action form: program (on a new action), theme, the texts in both languages, status,
date and owner. The choices are the user's: their programs, the irritant themes in the page's
language, the staff of their programs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, Form, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from feedback.accounts.models import User
from feedback.programs.models import Program
from feedback.reporting.actions.models import MAX_TEXT, ActionStatus
from feedback.reporting.themes.taxonomy import THEMES
from feedback.staff_forms import strip

STATUS_LABELS = {
    ActionStatus.PLANNED: _l("Planned"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
}
NOBODY = ""


class Listed:
    """A select's value must be one of its choices, with a message of ours (not WTForms')."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(self.message)


def theme_choices(language: str) -> list[SelectChoice]:
    """The irritant themes (praise is not something to act on), by their name in `language`."""
    irritants = [theme for theme in THEMES.values() if not theme.praise]
    return [
        SelectChoice(theme.code, theme.label(language))
        for theme in sorted(irritants, key=lambda theme: theme.label(language).casefold())
    ]


#: Made before ActionForm's fields, so that the program comes first
#: (WTForms orders fields by when they were made).
_PROGRAM = SelectField(
    _l("Program"),
    validate_choice=False,
    validators=[
        InputRequired(message=_l("Choose one of your programs.")),
        Listed(_l("Choose one of your programs.")),
    ],
)


class ActionForm(FlaskForm):
    theme = SelectField(
        _l("Theme"),
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose a theme from the list.")),
            Listed(_l("Choose a theme from the list.")),
        ],
    )
    text_en = TextAreaField(
        _l("What was done, in English"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter what was done in English.")),
            Length(max=MAX_TEXT, message=_l("Use %(limit)s characters or fewer.", limit=MAX_TEXT)),
        ],
        render_kw={"lang": "en", "rows": 3, "maxlength": MAX_TEXT},
    )
    text_fr = TextAreaField(
        _l("What was done, in French"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter what was done in French.")),
            Length(max=MAX_TEXT, message=_l("Use %(limit)s characters or fewer.", limit=MAX_TEXT)),
        ],
        render_kw={"lang": "fr", "rows": 3, "maxlength": MAX_TEXT},
    )
    status = RadioField(
        _l("Status"),
        default=ActionStatus.PLANNED.value,
        validators=[InputRequired(message=_l("Choose a status."))],
    )
    action_date = DateField(
        _l("Date"),
        format="%Y-%m-%d",
        validators=[InputRequired(message=_l("Enter a date like 2026-01-31."))],
    )
    owner = SelectField(
        _l("Owner"),
        default=NOBODY,
        validate_choice=False,
        validators=[Listed(_l("Choose someone who works on this program."))],
    )

    def __init__(self, owners: Iterable[User], language: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.theme.choices = [SelectChoice("", _l("Choose a theme")), *theme_choices(language)]
        self.status.choices = [
            SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()
        ]
        self.owner.choices = [SelectChoice(NOBODY, _l("Nobody yet"))] + [
            SelectChoice(user.id, user.email) for user in owners
        ]


class NewActionForm(ActionForm):
    program = _PROGRAM

    def __init__(
        self, programs: Iterable[Program], owners: Iterable[User], language: str, **kwargs: Any
    ) -> None:
        super().__init__(owners, language, **kwargs)
        self.program.choices = [SelectChoice("", _l("Choose a program"))] + [
            SelectChoice(program.code, program.name(language)) for program in programs
        ]


class DeleteForm(FlaskForm):
    """Only the CSRF token: the confirmation is the button."""
