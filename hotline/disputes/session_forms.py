"""Forms of the mediation sessions with the parties and of the follow-up visits."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from hotline.formkit import SensibleDate, choices, whole_number
from hotline.vocab import SESSION_MODES


def _optional_id(value) -> int | None:
    """A select's record id, or None for the blank choice (and for anything that is not an id)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, int) else whole_number(str(value))


class ScheduleForm(FlaskForm):
    """When and how the parties meet (Beijing time)."""

    mode = SelectField(_l("How"), choices=choices(SESSION_MODES), default="on_site", validators=[DataRequired()])
    day = DateField(_l("Day"), validators=[InputRequired(), SensibleDate()])
    starts = TimeField(_l("Start time"), validators=[InputRequired()])
    ends = TimeField(_l("End time"), validators=[InputRequired()])
    mediator_id = SelectField(_l("Mediator"), coerce=_optional_id)

    def validate_ends(self, field) -> None:
        """A session ends after it starts, on the same day."""
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The end must be after the start."))


class HoldForm(FlaskForm):
    """What happened in a session."""

    record = TextAreaField(_l("Record of the session"), validators=[DataRequired(), Length(max=4000)])


class FollowUpForm(FlaskForm):
    """A follow-up visit (回访)."""

    note = TextAreaField(_l("What the visit found"), validators=[DataRequired(), Length(max=4000)])
    kept = SelectField(_l("Is the agreement being kept?"), choices=choices([
        ("unknown", _l("Not known yet")), ("yes", _l("Yes, it is being kept")), ("no", _l("No, it is not kept"))]),
        default="unknown", validators=[DataRequired()])

    def kept_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.kept.data)
