"""Coordinators size each hotline shift's seats from the call volume (Erlang C) and set them on a draft period."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from hotline.auth.access import city_scoped, roles_required
from hotline.duty.settings import FormError, _int
from hotline.duty.views import MESSAGES, bp, period_or_404
from hotline.extensions import db
from hotline.models import DutyPeriod
from hotline.models.types import utcnow
from hotline.services import rostering
from hotline.services import staffing as service

DEFAULTS = service.Targets()


def _parameters(values) -> dict[str, str]:
    """The form's values as typed (blank means the default)."""
    defaults = {"weeks": DEFAULTS.weeks, "level": round(DEFAULTS.level * 100), "seconds": DEFAULTS.seconds}
    return {name: (values.get(name) or "").strip()[:12] or str(default) for name, default in defaults.items()}


def _targets(values: dict[str, str]) -> service.Targets:
    """Targets from the form, or FormError naming the bad field."""
    weeks = _int(values["weeks"], 1, 52, _("Weeks of history"))
    level = _int(values["level"], 1, 99, _("Service level target (per cent)"))
    seconds = _int(values["seconds"], 0, 600, _("Answer within (seconds)"))
    return service.Targets(weeks=weeks, level=level / 100, seconds=seconds)


def _page(period: DutyPeriod, values: dict[str, str], plan: service.Plan | None, status: int = 200):
    """The staffing page: the parameters as typed and, when they are valid, the plan."""
    return render_template("duty/staffing.html", period=period, values=values, plan=plan), status


def _read(period: DutyPeriod, source) -> tuple[dict[str, str], service.Targets | None, tuple | None]:
    """The parameters as typed, the targets they give, and the 400 page when they are not valid."""
    values = _parameters(source)
    try:
        return values, _targets(values), None
    except FormError as error:
        flash(str(error), "error")
        return values, None, _page(period, values, None, 400)


@bp.route("/duty/periods/<int:period_id>/staffing")
@roles_required("admin")
@city_scoped
def staffing(period_id: int):
    """Forecast calls of each hotline shift from past weeks and the seats they need, beside the seats set now."""
    period = period_or_404(period_id)
    values, targets, refused = _read(period, request.args)
    if refused:
        return refused
    return _page(period, values, service.plan(db.session, period, targets, utcnow()))


@bp.route("/duty/periods/<int:period_id>/staffing/apply", methods=["POST"])
@roles_required("admin")
@city_scoped
def staffing_apply(period_id: int):
    """Set every hotline shift's seats for any lawyer to the seats the plan says it needs."""
    period = period_or_404(period_id)
    values, targets, refused = _read(period, request.form)
    if refused:
        return refused
    back = url_for("duty.staffing", period_id=period.id, **values)
    try:
        changed = service.apply_seats(db.session, period, service.plan(db.session, period, targets, utcnow()))
    except rostering.RosteringError as error:
        db.session.rollback()
        flash(MESSAGES[str(error)](), "error")
        return redirect(back), 303
    db.session.commit()
    flash(ngettext("Seats set on %(num)d shift.", "Seats set on %(num)d shifts.", changed), "success")
    return redirect(back)
