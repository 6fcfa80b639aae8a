"""Helpers shared by every feature's forms."""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterable, Mapping

from wtforms import Form, SelectChoice
from wtforms.validators import StopValidation


def choices(options: Mapping[str, object] | Iterable[tuple[str, object]], blank: object | None = None) -> list:
    """Select options from a vocabulary (code -> label), optionally led by a blank choice."""
    items = options.items() if isinstance(options, Mapping) else options
    result = [SelectChoice("", blank)] if blank is not None else []
    return result + [SelectChoice(code, label) for code, label in items]


def whole_number(value: str | None, digits: int = 9) -> int | None:
    """A record id or count typed into a form or URL: ASCII digits only, at most `digits` of them; else None.

    str.isdigit alone is not enough: "²" and other Unicode digits pass it and then fail int().
    """
    if not value or len(value) > digits or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def seconds_field(value: str | None, default: int = 30, low: int = 5, high: int = 600) -> int | None:
    """A solver time limit typed into a form: whole seconds within [low, high], or None when it is not."""
    try:
        seconds = int(value if value not in (None, "") else default)
    except ValueError:
        return None
    return seconds if low <= seconds <= high else None


# Dates a form accepts: nothing the department records lies before 2000, and nothing is planned more than ten
# years ahead. Beyond these, date arithmetic and the databases' own ranges fail (year 1, year 9999).
EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_date(today: date) -> date:
    """The last date a form accepts, ten years after today."""
    return today.replace(year=today.year + YEARS_AHEAD) if (today.month, today.day) != (2, 29) \
        else date(today.year + YEARS_AHEAD, 2, 28)


def sensible_date(value: date, today: date) -> bool:
    """True when value lies between EARLIEST_DATE and ten years after today."""
    return EARLIEST_DATE <= value <= latest_date(today)


class SensibleDate:
    """WTForms validator: a date (or the day of a date and time) between 2000 and ten years ahead."""

    def __call__(self, form, field) -> None:
        from flask_babel import gettext as _

        from hotline.models.types import PROVINCE_TZ, utcnow

        value = field.data.date() if isinstance(field.data, datetime) else field.data
        if value is None:
            return
        today = utcnow().astimezone(PROVINCE_TZ).date()
        if not sensible_date(value, today):
            raise StopValidation(_("Choose a date from %(first)s to %(last)s.", first=EARLIEST_DATE.isoformat(),
                                   last=latest_date(today).isoformat()))


class SubForm(Form):
    """A form nested in a FlaskForm (FormField): WTForms' own messages ("Not a valid time value.") in the reader's
    language, as the FlaskForm around it has them."""

    class Meta:
        def get_translations(self, form):
            from flask_wtf.i18n import translations

            return translations
