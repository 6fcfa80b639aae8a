"""Coordinators' roster settings: seats per shift, weights, public holidays, shift types, lawyers' limits."""
from __future__ import annotations

import json
from datetime import date, time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.auth.access import city_scoped, roles_required
from hotline.duty.views import bp, period_or_404
from hotline.extensions import db
from hotline.models import City, DutyPeriod, PublicHoliday, Shift, ShiftType
from hotline.services import rostering
from hotline.vocab import LANGUAGES, LEGAL_AREAS

MAX_ROWS = 6


class FormError(ValueError):
    """Bad input in a settings form; str() is shown."""


def _int(value: str | None, low: int, high: int, what: str) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise FormError(_("%(what)s must be a whole number.", what=what)) from None
    if not low <= number <= high:
        raise FormError(_("%(what)s must be between %(low)d and %(high)d.", what=what, low=low, high=high))
    return number


def _seat_rows() -> list[rostering.SeatRow]:
    cities = set(db.session.scalars(select(City.id)))
    rows = []
    for index in range(MAX_ROWS):
        seats = request.form.get(f"seats-{index}", "").strip()
        if not seats:
            continue
        area = request.form.get(f"area-{index}") or None
        language = request.form.get(f"language-{index}") or None
        city = request.form.get(f"city-{index}") or None
        if area is not None and area not in LEGAL_AREAS or language is not None and language not in LANGUAGES:
            raise FormError(_("Unknown legal area or language."))
        city_id = _int(city, 1, 10**9, _("City")) if city else None
        if city_id is not None and city_id not in cities:
            raise FormError(_("Unknown city."))
        count = _int(seats, 0, 50, _("Seats"))
        hard = _int(request.form.get(f"hard-{index}") or "0", 0, count, _("Hard minimum"))
        rows.append(rostering.SeatRow(area, language, city_id, count, hard))
    if not rows:
        raise FormError(_("Give at least one line of seats."))
    return rows


def _seats_page(period: DutyPeriod, status: int = 200):
    shifts = db.session.scalars(select(Shift).where(Shift.period_id == period.id)
                                .options(selectinload(Shift.seats), selectinload(Shift.shift_type))
                                .order_by(Shift.day)).all()
    samples = {}
    for shift in shifts:
        key = (shift.shift_type.code, "weekend" if shift.day.weekday() >= 5 else "weekday")
        samples.setdefault(key, (shift.shift_type, sorted(shift.seats, key=lambda s: (s.legal_area or "", s.language or ""))))
    cities = db.session.scalars(select(City).order_by(City.id)).all()
    return render_template("duty/seats.html", period=period, samples=samples, cities=cities, rows=range(MAX_ROWS),
                           weights=rostering.DEFAULT_WEIGHTS | json.loads(period.weights_json or "{}")), status


@bp.route("/duty/periods/<int:period_id>/seats", methods=["GET", "POST"])
@roles_required("admin")
@city_scoped
def seats(period_id: int):
    """Seats of each shift by legal area, language and city, on weekdays and weekends."""
    period = period_or_404(period_id)
    if request.method == "POST":
        code = request.form.get("shift", "")
        day_kind = request.form.get("days", "all")
        try:
            if day_kind not in ("weekday", "weekend", "all"):
                raise FormError(_("Choose weekdays, weekends or every day."))
            changed = rostering.set_seats(db.session, period, code, day_kind, _seat_rows())
            if not changed:
                raise FormError(_("No shift of that type on those days."))
        except (FormError, rostering.RosteringError) as error:
            db.session.rollback()
            flash(str(error) if isinstance(error, FormError) else _("Only a draft period can be changed."), "error")
            return _seats_page(period, 400)
        db.session.commit()
        flash(ngettext("Seats set on %(num)d shift.", "Seats set on %(num)d shifts.", changed), "success")
        return redirect(url_for("duty.seats", period_id=period.id))
    return _seats_page(period)


@bp.route("/duty/periods/<int:period_id>/weights", methods=["POST"])
@roles_required("admin")
@city_scoped
def weights(period_id: int):
    """Penalty weights: an empty seat, an extra person, unfairness, an unmet wish."""
    period = period_or_404(period_id)
    try:
        values = {name: _int(request.form.get(name), 0, 10000, name) for name in rostering.DEFAULT_WEIGHTS}
        rostering.set_weights(db.session, period, values)
    except (FormError, rostering.RosteringError) as error:
        db.session.rollback()
        flash(str(error) if isinstance(error, FormError) else _("Only a draft period can be changed."), "error")
        return _seats_page(period, 400)
    db.session.commit()
    flash(_("Weights saved."), "success")
    return redirect(url_for("duty.seats", period_id=period.id))


@bp.route("/duty/holidays", methods=["GET", "POST"])
@roles_required("admin")
def holidays():
    """Public holidays: duties on them count as unpopular for fairness."""
    status = 200
    if request.method == "POST":
        try:
            if request.form.get("delete"):
                item = db.session.get(PublicHoliday, date.fromisoformat(request.form["delete"]))
                if item is not None:
                    db.session.delete(item)
            else:
                day = date.fromisoformat(request.form.get("day", ""))
                name_en = request.form.get("name_en", "").strip()[:64]
                name_zh = request.form.get("name_zh", "").strip()[:32]
                if not name_en or not name_zh:
                    raise ValueError
                if db.session.get(PublicHoliday, day) is None:
                    db.session.add(PublicHoliday(day=day, name_en=name_en, name_zh=name_zh))
            db.session.commit()
            return redirect(url_for("duty.holidays"))
        except ValueError:
            db.session.rollback()
            flash(_("Give the date (YYYY-MM-DD) and the holiday's name in English and Chinese."), "error")
            status = 400
    days = db.session.scalars(select(PublicHoliday).order_by(PublicHoliday.day)).all()
    return render_template("duty/holidays.html", days=days), status


def _time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise FormError(_("Times are HH:MM.")) from None


@bp.route("/duty/shift-types", methods=["GET", "POST"])
@roles_required("admin")
def shift_types():
    """Shift types: hours, length, rest after, whether unpopular, whether in use."""
    status = 200
    if request.method == "POST":
        try:
            code = request.form.get("code", "").strip().upper()[:16]
            if not code.replace("_", "").isalnum():
                raise FormError(_("A code is letters and digits."))
            kind = request.form.get("kind", "hotline")
            if kind not in ("hotline", "oncall", "video", "phone"):
                raise FormError(_("Unknown kind of shift."))
            item = db.session.scalar(select(ShiftType).where(ShiftType.code == code)) or ShiftType(code=code)
            item.name_en = request.form.get("name_en", "").strip()[:64] or code
            item.name_zh = request.form.get("name_zh", "").strip()[:32] or code
            item.kind = kind
            item.starts = _time(request.form.get("starts", ""))
            item.ends = _time(request.form.get("ends", ""))
            item.minutes = _int(request.form.get("minutes"), 15, 1440, _("Minutes"))
            item.min_rest_hours = _int(request.form.get("rest") or "0", 0, 48, _("Rest"))
            item.unpopular = bool(request.form.get("unpopular"))
            item.active = bool(request.form.get("active"))
            db.session.add(item)
            db.session.commit()
            flash(_("Shift type %(code)s saved.", code=code), "success")
            return redirect(url_for("duty.shift_types"))
        except FormError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
    types = db.session.scalars(select(ShiftType).order_by(ShiftType.starts)).all()
    return render_template("duty/shift_types.html", types=types), status
