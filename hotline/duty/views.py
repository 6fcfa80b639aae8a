"""Coordinators plan and publish duty periods; lawyers see their duties and subscribe to them."""
from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline import jobs
from hotline.auth.access import bureau_city, city_scoped, public, require_city, roles_required
from hotline.duty import tasks  # noqa: F401  (registers the roster_solve job)
from hotline.duty.forms import PeriodForm, SolveForm
from hotline.extensions import db
from hotline.formkit import choices
from hotline.i18n import locale_code
from hotline.models import Booking, CounselRequest, DutyAssignment, DutyPeriod, Lawyer, Shift, ShiftType
from hotline.models.types import utcnow
from hotline.outbox import sms_note
from hotline.services import feeds, ical, roster_review, rostering, slots

bp = Blueprint("duty", __name__)

MESSAGES = {
    "ends_before_start": lambda: _("The last day is before the first day."),
    "too_long": lambda: _("A period is at most 62 days."),
    "no_shift_types": lambda: _("Choose at least one shift to cover."),
    "not_draft": lambda: _("Only a draft period can be changed."),
    "empty_roster": lambda: _("There is no roster to publish yet: solve the period first."),
    "not_published": lambda: _("Only a published period can be re-planned."),
}


def period_or_404(period_id: int) -> DutyPeriod:
    """A period the signed-in coordinator may plan: a city bureau's own, or any for the province."""
    current = db.get_or_404(DutyPeriod, period_id)
    require_city(current.city_id)
    return current


def _period_form() -> PeriodForm:
    form = PeriodForm()
    types = db.session.scalars(select(ShiftType).where(ShiftType.active.is_(True)).order_by(ShiftType.starts)).all()
    form.shift_codes.choices = choices([(t.code, t.name(locale_code())) for t in types])
    if request.method == "GET" and not form.shift_codes.data:
        form.shift_codes.data = [t.code for t in types if t.kind in ("hotline", "oncall")]
    return form


@bp.route("/duty/periods", methods=["GET", "POST"])
@roles_required("admin")
@city_scoped
def periods():
    """All periods, and a form for a new one."""
    form = _period_form()
    status = 200
    if request.method == "POST":
        if form.validate():
            data = rostering.PeriodData(form.name.data, form.starts_on.data, form.ends_on.data, form.shift_codes.data,
                                        city_id=bureau_city())
            try:
                period = rostering.create_period(db.session, data, utcnow())
            except rostering.OverlapError as error:
                db.session.rollback()
                flash(_("These dates overlap the period %(name)s (%(first)s to %(last)s); a day has one roster.",
                        name=error.other.name, first=error.other.starts_on.isoformat(),
                        last=error.other.ends_on.isoformat()), "error")
                status = 400
            except rostering.RosteringError as error:
                db.session.rollback()
                flash(MESSAGES[str(error)](), "error")
                status = 400
            else:
                db.session.commit()
                flash(_("Period %(name)s created with its shifts and default seats.", name=period.name), "success")
                return redirect(url_for("duty.period", period_id=period.id))
        else:
            status = 400
    query = select(DutyPeriod).order_by(DutyPeriod.starts_on.desc())
    if bureau_city() is not None:
        query = query.where(DutyPeriod.city_id == bureau_city())
    listed = db.session.scalars(query).all()
    return render_template("duty/periods.html", form=form, periods=listed), status


@bp.route("/duty/periods/<int:period_id>")
@roles_required("admin")
@city_scoped
def period(period_id: int):
    """Review a period: calendar grid, load per lawyer, fairness, penalties or the engine's explanation."""
    current = period_or_404(period_id)
    jobs.reap_stale(db.session, utcnow(), embedded=not current_app.config.get("REDIS_URL"))
    db.session.commit()
    job = roster_review.latest_solve(db.session, current.id)
    result = jobs.result_of(job)
    now = utcnow()
    replan_job = roster_review.latest_solve(db.session, current.id, kind="roster_replan", since=current.replan_needed_at) \
        if current.replan_needed_at else None
    return render_template("duty/period.html", period=current, review=roster_review.review(db.session, current),
                           job=job, result=result, solve=SolveForm(formdata=None),
                           pins=rostering.pinned_duties(db.session, current), replan_job=replan_job, now=now)


@bp.route("/duty/periods/<int:period_id>/delete", methods=["POST"])
@roles_required("admin")
@city_scoped
def delete_period(period_id: int):
    """Delete a draft period (a published one is kept as history)."""
    current = period_or_404(period_id)
    try:
        rostering.delete_period(db.session, current)
    except rostering.RosteringError as error:
        db.session.rollback()
        flash(MESSAGES[str(error)](), "error")
        return redirect(url_for("duty.period", period_id=period_id)), 303
    db.session.commit()
    flash(_("Draft period deleted."), "success")
    return redirect(url_for("duty.periods"))


@bp.route("/duty/periods/<int:period_id>/pins/<int:duty_id>/unpin", methods=["POST"])
@roles_required("admin")
@city_scoped
def unpin(period_id: int, duty_id: int):
    """Let the engine move a pinned duty again (a pin the rules cannot keep makes every solve infeasible)."""
    current = period_or_404(period_id)
    duty = rostering.unpin(db.session, current, duty_id)
    if duty is None:
        abort(404)
    db.session.commit()
    flash(_("Duty unpinned: the next solve or re-plan may move it."), "success")
    return redirect(url_for("duty.period", period_id=period_id) + "#pins")


@bp.route("/duty/periods/<int:period_id>/solve", methods=["POST"])
@roles_required("admin")
@city_scoped
def solve(period_id: int):
    """Start solving the period in the background and show its progress."""
    current = period_or_404(period_id)
    form = SolveForm()
    if current.status != "draft":
        flash(MESSAGES["not_draft"](), "error")
        return redirect(url_for("duty.period", period_id=period_id)), 303
    if not form.validate():
        flash(_("The time limit must be between 5 and 600 seconds."), "error")
        return redirect(url_for("duty.period", period_id=period_id)), 303
    job = jobs.submit(db.session, "roster_solve", {"period_id": current.id, "time_limit": form.time_limit.data},
                      current_user.id, utcnow())
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/duty/periods/<int:period_id>/publish", methods=["POST"])
@roles_required("admin")
@city_scoped
def publish(period_id: int):
    """Publish the roster and text each lawyer their duties."""
    current = period_or_404(period_id)
    try:
        told = rostering.publish(db.session, current, current_user.id, utcnow(),
                                 slots.SlotSettings.from_config(current_app.config))
    except rostering.RosteringError as error:
        db.session.rollback()
        flash(MESSAGES[str(error)](), "error")
        return redirect(url_for("duty.period", period_id=period_id)), 303
    db.session.commit()
    flash(ngettext("Published; %(num)d lawyer has the duties in a text message.",
                   "Published; %(num)d lawyers have their duties in a text message.", told) + " " + sms_note(),
          "success")
    return redirect(url_for("duty.period", period_id=period_id))


def _my_lawyer() -> Lawyer:
    lawyer = db.session.scalar(select(Lawyer).where(Lawyer.user_id == current_user.id))
    if lawyer is None:
        abort(404)
    return lawyer


@bp.route("/my/duties")
@roles_required("lawyer")
def my_duties():
    """A lawyer's published duties, as a calendar and a list, and their private calendar feed."""
    lawyer = _my_lawyer()
    now = utcnow()
    duties = db.session.scalars(
        select(DutyAssignment).join(Shift).join(DutyPeriod)
        .where(DutyAssignment.lawyer_id == lawyer.id, DutyPeriod.status == "published", Shift.ends_at >= now)
        .options(selectinload(DutyAssignment.shift).selectinload(Shift.shift_type)).order_by(Shift.starts_at)
    ).all()
    feed = url_for("duty.feed", token=lawyer.ical_token, _external=True) if lawyer.ical_token else None
    return render_template("duty/my_duties.html", lawyer=lawyer, duties=duties, feed=feed,
                           weeks=ical.calendar_weeks([d.shift for d in duties]))


@bp.route("/my/duties/feed", methods=["POST"])
@roles_required("lawyer")
def feed_token():
    """Create a new private feed address (the old one stops working), or revoke it."""
    return renew_feed(_my_lawyer(), "duty.my_duties")


def renew_feed(holder, endpoint: str):
    """Give a lawyer or a liaison a new private feed token (the old address stops working), or revoke it."""
    holder.ical_token = None if request.form.get("action") == "revoke" else secrets.token_urlsafe(24)
    db.session.commit()
    flash(_("Calendar feed address revoked.") if holder.ical_token is None
          else _("New calendar feed address created; the old one no longer works."), "success")
    return redirect(url_for(endpoint))


@bp.route("/calendar/<token>.ics")
@public
def feed(token: str):
    """A lawyer's published duties and consultations as iCalendar; the token is the only key, and only while the
    lawyer and their account are active."""
    lawyer = feeds.lawyer_by_token(db.session, token)
    if lawyer is None:
        abort(404)
    duties = db.session.scalars(
        select(DutyAssignment).join(Shift).join(DutyPeriod)
        .where(DutyAssignment.lawyer_id == lawyer.id, DutyPeriod.status == "published")
        .options(selectinload(DutyAssignment.shift).selectinload(Shift.shift_type)).order_by(Shift.starts_at)
    ).all()
    bookings = db.session.scalars(
        select(Booking).where(Booking.lawyer_id == lawyer.id, Booking.status != "cancelled")
        .options(selectinload(Booking.request).selectinload(CounselRequest.project)).order_by(Booking.starts_at)
    ).all()
    body = ical.feed(lawyer.name, [(d.id, d.shift) for d in duties], utcnow(),
                     bookings=ical.consultation_events(bookings, "lawyer"))
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": "inline; filename=duties.ics"})


from hotline.duty import requests as _requests  # noqa: E402,F401  (its routes live on this blueprint)
from hotline.duty import settings as _settings  # noqa: E402,F401
from hotline.duty import staffing as _staffing  # noqa: E402,F401
