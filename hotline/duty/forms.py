"""Forms of duty planning."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from hotline.formkit import SensibleDate


class PeriodForm(FlaskForm):
    """A new duty period."""

    name = StringField(_l("Period name"), validators=[DataRequired(), Length(max=80)])
    starts_on = DateField(_l("First day"), validators=[DataRequired(), SensibleDate()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(), SensibleDate()])
    shift_codes = SelectMultipleField(_l("Shifts to cover"), validators=[DataRequired()],
                                      widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def validate_ends_on(self, field) -> None:
        """A period is one to 62 days long."""
        if self.starts_on.data and field.data:
            if field.data < self.starts_on.data:
                raise ValidationError(_l("The last day is before the first day."))
            if (field.data - self.starts_on.data).days > 61:
                raise ValidationError(_l("A period is at most 62 days."))


class SolveForm(FlaskForm):
    """Solve settings."""

    time_limit = IntegerField(_l("Time limit (seconds)"), default=60, validators=[NumberRange(5, 600)])
