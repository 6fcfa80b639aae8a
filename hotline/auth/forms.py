"""Forms for signing in and for managing accounts."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from hotline import phones
from hotline.formkit import choices
from hotline.i18n import LOCALES
from hotline.vocab import ROLES

MIN_PASSWORD = 10


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


class PhoneField(StringField):
    """A phone number, normalised to E.164 on validation."""

    def pre_validate(self, form) -> None:
        if self.data:
            try:
                self.data = phones.normalise(self.data)
            except phones.InvalidPhone:
                raise ValidationError(_l("Enter a valid phone number, e.g. 138 1234 5678.")) from None


class UserForm(FlaskForm):
    """An account as a coordinator edits it."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dots, dashes and underscores.")),
        ],
    )
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(check_deliverability=False), Length(max=200)])
    phone = PhoneField(_l("Phone"), validators=[Optional(), Length(max=32)])
    role = SelectField(_l("Role"), choices=choices(ROLES))
    is_supervisor = BooleanField(_l("Supervisor (receives escalations)"))
    active = BooleanField(_l("Active"), default=True)
    locale = SelectField(_l("Language"), choices=choices(LOCALES, blank=_l("Browser default")))
    # The cities are filled in by the view; blank: the province.
    city_id = SelectField(_l("City bureau (coordinators)"), choices=[], default="", validate_choice=False)
    # Filled in by the view: counties and townships (bureau coordinators), committees (mediators).
    org_unit_id = SelectField(_l("County or township (bureau coordinators)"), choices=[], default="",
                              validate_choice=False)
    committee_id = SelectField(_l("Mediation committee (mediators)"), choices=[], default="", validate_choice=False)

    def _listed(self, field) -> None:
        if field.data in (None, "None"):
            field.data = ""
        if field.data and field.data not in {str(value) for value, *_rest in field.choices}:
            raise ValidationError(_l("Not a valid choice."))

    def validate_org_unit_id(self, field) -> None:
        self._listed(field)
        if field.data and self.role.data != "bureau":
            raise ValidationError(_l("Only a bureau coordinator belongs to a county or township."))

    def validate_committee_id(self, field) -> None:
        self._listed(field)
        if self.role.data == "mediator" and not field.data:
            raise ValidationError(_l("Choose the mediator's committee."))
        if field.data and self.role.data != "mediator":
            raise ValidationError(_l("Only a mediator belongs to a committee."))

    def validate_city_id(self, field) -> None:
        """One of the listed cities, or none; only a coordinator belongs to a city bureau."""
        if field.data in (None, "None"):
            field.data = ""
        if field.data and field.data not in {str(value) for value, *_rest in field.choices}:
            raise ValidationError(_l("Not a valid choice."))
        if field.data and self.role.data not in ("admin", "bureau"):
            raise ValidationError(_l("Only a coordinator belongs to a city bureau."))

    def validate_is_supervisor(self, field) -> None:
        """Only operators can be supervisors."""
        if field.data and self.role.data != "operator":
            raise ValidationError(_l("Only operators can be supervisors."))


class NewUserForm(UserForm):
    """A new account, with its first password."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])


class ResetPasswordForm(FlaskForm):
    """A coordinator sets a new password for someone."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))]
    )


class ChangePasswordForm(ResetPasswordForm):
    """Someone changes their own password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
