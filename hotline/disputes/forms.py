"""Forms of the ledger: registering a dispute found by screening, a walk-in, the web or another agency."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from hotline.auth.forms import PhoneField
from hotline.formkit import SensibleDate, SubForm, choices
from hotline.vocab import DISPUTE_SOURCES, DISPUTE_TYPES, LANGUAGES, RISK_FLAGS, RISK_LEVELS


class PartyForm(SubForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    phone = PhoneField(_l("Phone"), validators=[Optional(), Length(max=32)])
    role = StringField(_l("Role in the dispute"), validators=[Optional(), Length(max=64)])


class RiskForm(SubForm):
    people = IntegerField(_l("People at risk"), validators=[Optional(), NumberRange(min=0, max=100000)])


class RegisterForm(FlaskForm):
    """A new ledger entry."""

    source = SelectField(_l("Found by"), choices=choices({k: v for k, v in DISPUTE_SOURCES.items() if k != "api"}),
                         default="screening")
    found_at = DateTimeLocalField(_l("Found at"), validators=[DataRequired(), SensibleDate()])
    org_unit_id = SelectField(_l("Where"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                              validators=[DataRequired(message=_l("Choose a place from the list."))])
    place = StringField(_l("Address or landmark"), validators=[Optional(), Length(max=200)])
    dispute_type = SelectField(_l("Type of dispute"), choices=choices(DISPUTE_TYPES))
    summary = TextAreaField(_l("What the dispute is about"), validators=[DataRequired(), Length(max=4000)])
    people_involved = IntegerField(_l("People involved"), default=2,
                                   validators=[DataRequired(), NumberRange(min=1, max=100000)])
    amount = IntegerField(_l("Amount in dispute (yuan)"), validators=[Optional(), NumberRange(min=0, max=10**11)])
    language = SelectField(_l("Language"), choices=choices(LANGUAGES), default="zh")
    risk_level = SelectField(_l("Risk level"), choices=choices(RISK_LEVELS), default="blue")
    parties = FieldList(FormField(PartyForm), min_entries=3, max_entries=3)
    risks = FormField(type("RiskPeople", (SubForm,), {
        kind: IntegerField(label, validators=[Optional(), NumberRange(min=0, max=100000)])
        for kind, label in RISK_FLAGS.items()}))

    def set_units(self, units, locale: str) -> None:
        """Offer the org units in the user's scope, each under its county and township."""
        self.org_unit_id.choices = choices([(str(unit.id), label) for unit, label in units],
                                           blank=_l("Choose a place"))
