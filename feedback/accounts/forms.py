"""Staff forms: sign-in, and the administrators' forms for users and API keys."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from feedback.accounts.models import Role
from feedback.extensions import db
from feedback.i18n import current_locale
from feedback.programs.models import Program

MIN_PASSWORD = 12


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    # No format check on the address: any failure gets the same message, see views.login.
    email = EmailField(
        _l("Email address"),
        validators=[InputRequired(message=_l("Enter your email address."))],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (rendered in a fieldset by the `checkboxes` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.PROGRAM_MANAGER: _l("Program manager"),
    Role.ANALYST: _l("Analyst"),
}


def program_choices() -> list[SelectChoice]:
    """Every program, as (code, "Name (code)") in the page's language, for a programs field."""
    language = current_locale()
    programs = db.session.scalars(select(Program).order_by(Program.code))
    return [SelectChoice(p.code, f"{p.name(language)} ({p.code})") for p in programs]


def _new_password(label: Any) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD,
                message=_l("The password must be at least %(min)s characters.", min=MIN_PASSWORD),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


#: Made before ScopeForm's fields so that the new-user form lists its errors in the page's order
#: (WTForms orders fields by when they were made).
_NEW_EMAIL = EmailField(
    _l("Email address"),
    validators=[
        DataRequired(message=_l("Enter the person's email address.")),
        Email(message=_l("Enter an email address like name@example.org.")),
        Length(max=320, message=_l("The email address is too long.")),
    ],
    filters=[_strip],
    render_kw={"autocomplete": "off", "spellcheck": "false"},
)


class ScopeForm(FlaskForm):
    """A user's role and programs (a program manager or an analyst needs at least one)."""

    role = RadioField(
        _l("Role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a role."))],
    )
    programs = CheckboxesField(_l("Programs"), choices=[])

    def validate_programs(self, field: CheckboxesField) -> None:
        if self.role.data and self.role.data != Role.ADMIN.value and not field.data:
            raise ValidationError(_l("Choose at least one program for this role."))


class NewUserForm(ScopeForm):
    email = _NEW_EMAIL
    password = _new_password(_l("Temporary password"))


class PasswordResetForm(FlaskForm):
    password = _new_password(_l("New temporary password"))


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Enter a name for the key.")),
            Length(max=120, message=_l("The name must be 120 characters or fewer.")),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "off"},
    )
    programs = CheckboxesField(_l("Programs"), choices=[])


class ConfirmForm(FlaskForm):
    """A button that changes something (deactivate, revoke): the CSRF token only."""
