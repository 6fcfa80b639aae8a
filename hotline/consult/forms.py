"""Forms of the liaison portal and the consultation pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, FieldList, FormField, IntegerField, SelectField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from hotline.formkit import SensibleDate, SubForm, choices
from hotline.vocab import CONSULT_MODES, LEGAL_AREAS, URGENCIES

WINDOWS = 3


class WindowForm(SubForm):
    """A preferred time window on one day (local time)."""

    day = DateField(_l("Day"), validators=[Optional(), SensibleDate()])
    starts = TimeField(_l("Start time"), validators=[Optional()])
    ends = TimeField(_l("End time"), validators=[Optional()])

    def validate_ends(self, field) -> None:
        """A window has a day, a start and a later end, or nothing at all."""
        parts = (self.day.data, self.starts.data, field.data)
        if any(parts) and not all(parts):
            raise ValidationError(_l("Give the day, the start and the end."))
        if all(parts) and field.data <= self.starts.data:
            raise ValidationError(_l("The end must be after the start."))


class RequestForm(FlaskForm):
    """A counsel request."""

    project_id = SelectField(_l("Project"), coerce=int, validators=[InputRequired()])
    legal_area = SelectField(_l("Legal area"), choices=choices(LEGAL_AREAS), validators=[DataRequired()])
    urgency = SelectField(_l("Urgency"), choices=choices(URGENCIES), default="normal", validators=[DataRequired()])
    mode = SelectField(_l("Video or phone"), choices=choices(CONSULT_MODES), default="video", validators=[DataRequired()])
    windows = FieldList(FormField(WindowForm), min_entries=WINDOWS, max_entries=WINDOWS)
    description = TextAreaField(_l("What do you need counsel on?"), validators=[DataRequired(), Length(max=4000)])
    files = MultipleFileField(_l("Attachments"))

    def validate_windows(self, field) -> None:
        """At least one complete window."""
        if not any(entry.form.day.data and entry.form.starts.data and entry.form.ends.data for entry in field.entries):
            raise ValidationError(_l("Give at least one time window that suits you."))


class CancelForm(FlaskForm):
    """Why a booking is cancelled."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=400)])


class OutcomeForm(FlaskForm):
    """The lawyer's record of a consultation."""

    status = SelectField(_l("What happened"), choices=choices([("completed", _l("Consultation given")),
                                                              ("no_show", _l("The liaison did not attend"))]))
    outcome = TextAreaField(_l("Advice given and next steps"), validators=[DataRequired(), Length(max=4000)])


class RatingForm(FlaskForm):
    """The liaison's rating of a consultation."""

    score = IntegerField(_l("Rating (1 to 5)"), validators=[InputRequired(), NumberRange(1, 5)])
    note = TextAreaField(_l("Comment"), validators=[Length(max=1000)])
