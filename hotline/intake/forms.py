"""Forms of the operator console."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from hotline.auth.forms import PhoneField
from hotline.formkit import SensibleDate, choices
from hotline.models.types import PROVINCE_TZ
from hotline.vocab import CHANNELS, CONTACT_STATUSES, DISPUTE_TYPES, LANGUAGES, LEGAL_AREAS, REFERRAL_TARGETS, RISK_FLAGS, URGENCIES


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist) -> None:
        """Blank values are no choice (each other value must still be one of the choices)."""
        super().process_formdata([value for value in valuelist if value])


class TriageForm(FlaskForm):
    """What the operator records about a contact."""

    caller_name = StringField(_l("Caller's name"), validators=[Optional(), Length(max=120)])
    language = SelectField(_l("Language"), choices=choices(LANGUAGES), default="zh")
    city_id = SelectField(_l("City"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                          validators=[Optional()])
    legal_area = SelectField(_l("Legal area"), choices=choices(LEGAL_AREAS, blank=_l("Not yet known")),
                             validators=[Optional()])
    urgency = SelectField(_l("Urgency"), choices=choices(URGENCIES), default="normal")
    risk_flags = CheckboxesField(_l("Risk flags (escalate at once)"), choices=choices(RISK_FLAGS))
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=4000)])

    def set_cities(self, cities, locale: str) -> None:
        """Offer the province's cities."""
        self.city_id.choices = choices([(str(city.id), city.name(locale)) for city in cities], blank=_l("Unknown"))


class NewContactForm(TriageForm):
    """A contact entered by hand (walk-in, letter, web, or a call outside Twilio)."""

    channel = SelectField(_l("Channel"), choices=choices(CHANNELS), default="walk_in")
    caller_phone = PhoneField(_l("Caller's phone"), validators=[Optional(), Length(max=32)])

    def validate(self, extra_validators=None) -> bool:
        """A contact recorded by hand says what it was about: an empty form would be a work order about nothing."""
        valid = super().validate(extra_validators)
        if not (self.summary.data or "").strip():
            self.summary.errors = list(self.summary.errors) + [_l("Write what the caller asked about.")]
            return False
        return valid


class AdviceForm(FlaskForm):
    """Answer and close."""

    advice = TextAreaField(_l("Advice given"), validators=[DataRequired(), Length(max=4000)])


class CallbackForm(FlaskForm):
    """Book a callback (Beijing time)."""

    due = DateTimeLocalField(_l("Call back by"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), SensibleDate()])

    def due_utc(self) -> datetime:
        """The due time as an aware datetime."""
        return self.due.data.replace(tzinfo=PROVINCE_TZ)


class ReferForm(FlaskForm):
    """Refer the caller elsewhere."""

    target = SelectField(_l("Refer to"), choices=choices(REFERRAL_TARGETS))
    organisation = StringField(_l("Organisation and address"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("What the caller should bring or do"), validators=[Optional(), Length(max=1000)])


class DisputeForm(FlaskForm):
    """Turn the contact into a dispute ledger entry (where it was found and its type), or link it to an open
    entry by its number."""

    org_unit_id = SelectField(_l("Where the dispute is"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                              validators=[Optional()])
    dispute_type = SelectField(_l("Type of dispute"), choices=choices(DISPUTE_TYPES), validators=[Optional()])
    number = StringField(_l("Or link to the open entry numbered"), validators=[Optional(), Length(max=32)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.number.data or "").strip() and not self.org_unit_id.data:
            self.org_unit_id.errors = list(self.org_unit_id.errors) + [_l("Choose a place from the list.")]
            return False
        return valid


class CloseFlagForm(FlaskForm):
    """A supervisor closes an escalation."""

    note = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=4000)])
    prevented = BooleanField(_l("The incident was prevented"))


class SearchForm(FlaskForm):
    """Search contacts: posted with its CSRF token (a GET reads the non-personal filters without one)."""

    q = StringField(_l("Number or name"), validators=[Optional(), Length(max=64)])
    area = SelectField(_l("Legal area"), choices=choices(LEGAL_AREAS, blank=_l("All areas")), validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices(CONTACT_STATUSES, blank=_l("All statuses")), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional(), SensibleDate()])
    date_to = DateField(_l("To"), validators=[Optional(), SensibleDate()])

    def validate_date_to(self, field) -> None:
        """The range must not be reversed."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class FollowUpCallForm(FlaskForm):
    """What came of an operator's call about an unanswered follow-up survey."""

    # "No answer" first: the form as it opens saves without error (a score is asked only of a person reached).
    outcome = SelectField(_l("Outcome"), choices=choices({
        "no_answer": _l("No answer (try again tomorrow)"),
        "reached": _l("Reached: gave a score"),
        "declined": _l("Reached: declined to give a score"),
    }))
    score = IntegerField(_l("Score (1 to 5)"), validators=[
        Optional(), NumberRange(1, 5, message=_l("The score must be a whole number from 1 to 5."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])

    def validate_outcome(self, field) -> None:
        """Someone who was reached and rated the service needs a score."""
        if field.data == "reached" and not (self.score.raw_data and self.score.raw_data[0].strip()):
            raise ValidationError(_l("Enter the score the person gave, from 1 to 5."))
