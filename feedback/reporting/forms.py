"""The report request form and the dashboard's filters."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, SelectField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from feedback.accounts.forms import CheckboxesField


class _Period:
    """A first and a last day, the last not before the first."""

    date_from: DateField
    date_to: DateField

    def validate_date_to(self, field: Field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The last day must be the same as or after the first day."))


class ReportRequestForm(_Period, FlaskForm):
    date_from = DateField(
        _l("First day"),
        validators=[InputRequired(message=_l("Enter the first day of the period."))],
    )
    date_to = DateField(
        _l("Last day"),
        validators=[InputRequired(message=_l("Enter the last day of the period."))],
    )
    # Codes of the user's programs (set by the view); none ticked: all of them.
    programs = CheckboxesField(_l("Programs"), choices=[])
    weighted = BooleanField(_l("Weight the figures to the invited population"))


class DashboardFilterForm(_Period, FlaskForm):
    """A GET form: bookmarkable, no CSRF token (it changes nothing). Choices set by the view."""

    class Meta:
        csrf = False

    date_from = DateField(_l("First day"), validators=[Optional()])
    date_to = DateField(_l("Last day"), validators=[Optional()])
    program = SelectField(_l("Program"), choices=[], default="")
    channel = SelectField(_l("Channel"), choices=[], default="")
    language = SelectField(_l("Language of the response"), choices=[], default="")
    group = SelectField(_l("Client group"), choices=[], default="")
    group_value = StringField(_l("Value of the client group"), validators=[Optional()])

    def validate_group_value(self, field: Field) -> None:
        if field.data and not self.group.data:
            raise ValidationError(_l("Choose a client group for this value."))

    def period(self, default_from: date, default_to: date) -> tuple[date, date]:
        return self.date_from.data or default_from, self.date_to.data or default_to
