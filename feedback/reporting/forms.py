"""The dashboard's form to request a PDF report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field
from wtforms.validators import InputRequired, ValidationError


class ReportRequestForm(FlaskForm):
    date_from = DateField(
        _l("First day"),
        validators=[InputRequired(message=_l("Enter the first day of the period."))],
    )
    date_to = DateField(
        _l("Last day"),
        validators=[InputRequired(message=_l("Enter the last day of the period."))],
    )

    def validate_date_to(self, field: Field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The last day must be the same as or after the first day."))
