"""The filters of the dashboard and the report."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from hotline.formkit import SensibleDate, choices
from hotline.vocab import CHANNELS, LEGAL_AREAS

LONGEST = 366


class FilterForm(FlaskForm):
    """Period, city, legal area, channel and lawyer (read from the query string)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    first = DateField(_l("From"), validators=[InputRequired(), SensibleDate()])
    last = DateField(_l("To"), validators=[InputRequired(), SensibleDate()])
    city_id = SelectField(_l("City"), coerce=lambda v: int(v) if v not in (None, "") else None, validators=[Optional()])
    legal_area = SelectField(_l("Legal area"), choices=choices(LEGAL_AREAS, blank=_l("All")), validators=[Optional()])
    channel = SelectField(_l("Channel"), choices=choices(CHANNELS, blank=_l("All")), validators=[Optional()])
    # A search, not a list of 420 names (some shared): a licence number, or a name that only one lawyer has; the
    # suggestions read "name (licence number)", which is accepted as typed.
    lawyer = StringField(_l("Lawyer"), validators=[Optional(), Length(max=120)],
                         render_kw={"list": "lawyer-names", "autocomplete": "off",
                                    "placeholder": _l("Name or licence number")})
    lawyer_id: int | None = None

    def validate_last(self, field) -> None:
        """The period runs forward and is at most a year."""
        if self.first.data and field.data:
            if field.data < self.first.data:
                raise ValidationError(_l("The last day is before the first day."))
            if (field.data - self.first.data).days >= LONGEST:
                raise ValidationError(_l("Choose a period of at most a year."))
