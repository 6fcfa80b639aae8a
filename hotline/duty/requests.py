"""Requests: lawyers ask for days off, absences and swaps; coordinators decide and re-plan after absences."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline import jobs
from hotline.auth.access import bureau_city, city_scoped, require_city, roles_required
from hotline.duty.views import _my_lawyer, bp, period_or_404
from hotline.extensions import db
from hotline.formkit import EARLIEST_DATE, latest_date, sensible_date, whole_number
from hotline.models import DutyAssignment, DutyPeriod, DutyRequest, Lawyer, Shift, Unavailability
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.outbox import sms_note
from hotline.services import absences, slots
from hotline.services import requests as service

MESSAGES = {
    "in_past": lambda: _("That day has already passed."),
    "ends_before_start": lambda: _("The last day is before the first day."),
    "bad_swap": lambda: _("Choose one of your own coming duties and a colleague's duty in the same published period."),
    "breaks_rules": lambda: _("This swap would break the duty rules:"),
    "already_decided": lambda: _("This request has already been decided."),
    "roster_changed": lambda: _("The roster changed since the request; the swap no longer applies."),
    "bad_date": lambda: _("Enter a date from %(first)s to %(last)s as YYYY-MM-DD.", first=EARLIEST_DATE.isoformat(),
                          last=latest_date(_today()).isoformat()),
}


def _date(name: str) -> date:
    """A posted date between 2000 and ten years ahead, or the "bad_date" refusal."""
    try:
        value = date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        raise service.RequestError("bad_date") from None
    if not sensible_date(value, _today()):
        raise service.RequestError("bad_date")
    return value


def _today() -> date:
    return utcnow().astimezone(PROVINCE_TZ).date()


def _my_page(lawyer: Lawyer, status: int = 200, error: service.RequestError | None = None):
    now = utcnow()
    mine = db.session.scalars(
        select(DutyAssignment).join(Shift).join(DutyPeriod).where(
            DutyAssignment.lawyer_id == lawyer.id, DutyPeriod.status == "published", Shift.starts_at > now)
        .options(selectinload(DutyAssignment.shift).selectinload(Shift.shift_type)).order_by(Shift.starts_at)).all()
    periods = {duty.shift.period_id for duty in mine}
    theirs = db.session.scalars(
        select(DutyAssignment).join(Shift).where(Shift.period_id.in_(periods), Shift.starts_at > now,
                                                 DutyAssignment.lawyer_id != lawyer.id)
        .options(selectinload(DutyAssignment.shift).selectinload(Shift.shift_type), selectinload(DutyAssignment.lawyer))
        .order_by(Shift.starts_at).limit(500)).all() if periods else []
    filed = db.session.scalars(select(DutyRequest).where(DutyRequest.lawyer_id == lawyer.id)
                               .order_by(DutyRequest.created_at.desc()).limit(50)).all()
    absences = db.session.scalars(select(Unavailability).where(Unavailability.lawyer_id == lawyer.id)
                                  .order_by(Unavailability.starts_at.desc()).limit(20)).all()
    return render_template("duty/my_requests.html", mine=mine, theirs=theirs, filed=filed, absences=absences,
                           error=error, messages=MESSAGES), status


@bp.route("/my/requests")
@roles_required("lawyer")
def my_requests():
    """A lawyer's requests and the forms to make new ones."""
    return _my_page(_my_lawyer())


def _file(action):
    lawyer = _my_lawyer()
    try:
        action(lawyer)
    except service.RequestError as error:
        db.session.rollback()
        return _my_page(lawyer, 400, error)
    db.session.commit()
    flash(_("Request sent to the coordinators."), "success")
    return redirect(url_for("duty.my_requests"))


@bp.route("/my/requests/day-off", methods=["POST"])
@roles_required("lawyer")
def request_day_off():
    """Ask for a day off."""
    return _file(lambda lawyer: service.request_day_off(db.session, lawyer, _date("day"), request.form.get("reason", ""),
                                                         _today(), utcnow()))


@bp.route("/my/requests/absence", methods=["POST"])
@roles_required("lawyer")
def request_absence():
    """Report an absence over several days."""
    return _file(lambda lawyer: service.request_unavailability(
        db.session, lawyer, _date("first"), _date("last"), request.form.get("reason", ""), _today(), utcnow()))


def _int(name: str) -> int:
    number = whole_number(request.form.get(name))
    if number is None:
        raise service.RequestError("bad_swap")
    return number


@bp.route("/my/requests/swap", methods=["POST"])
@roles_required("lawyer")
def request_swap():
    """Ask to exchange a duty with a colleague; checked against the rules at once."""
    return _file(lambda lawyer: service.request_swap(db.session, lawyer, _int("mine"), _int("theirs"),
                                                      request.form.get("reason", ""), utcnow()))


def _decisions(status: int = 200, error: service.RequestError | None = None, effect=None):
    now = utcnow()
    city = bureau_city()
    mine = [] if city is None else [Lawyer.city_id == city]
    pending = db.session.scalars(select(DutyRequest).join(Lawyer, Lawyer.id == DutyRequest.lawyer_id)
                                 .where(DutyRequest.status == "pending", *mine).order_by(DutyRequest.created_at)).all()
    absent = db.session.scalars(select(Unavailability).join(Lawyer, Lawyer.id == Unavailability.lawyer_id)
                                .where(Unavailability.status == "requested", *mine)
                                .options(selectinload(Unavailability.lawyer)).order_by(Unavailability.starts_at)).all()
    lawyers = {l.id: l for l in db.session.scalars(select(Lawyer).where(Lawyer.id.in_(
        {r.lawyer_id for r in pending} | {r.colleague_id for r in pending if r.colleague_id})))}
    duties = {d.id: d for d in db.session.scalars(select(DutyAssignment).where(DutyAssignment.id.in_(
        {r.assignment_id for r in pending if r.assignment_id} | {r.colleague_assignment_id for r in pending
                                                                 if r.colleague_assignment_id}))
        .options(selectinload(DutyAssignment.shift).selectinload(Shift.shift_type)))}
    # What approving each day off or absence would take off the roster, shown before the coordinator decides.
    impacts = {("day_off", r.id): absences.impact(db.session, r.lawyer_id, *absences.day_bounds(r.day), now)
               for r in pending if r.kind == "day_off"}
    impacts |= {("absence", a.id): absences.impact(db.session, a.lawyer_id, a.starts_at, a.ends_at, now)
                for a in absent}
    return render_template("duty/requests.html", pending=pending, absences=absent, lawyers=lawyers, duties=duties,
                           error=error, messages=MESSAGES, impacts=impacts, effect=effect), status


@bp.route("/duty/requests")
@roles_required("admin")
@city_scoped
def decisions():
    """Pending requests and absences to decide, each with the duties and consultations it touches."""
    return _decisions()


def _decided(effect):
    """After a decision: the page showing what an approval took off the roster, or back to the list."""
    flash(_("Decision recorded."), "success")
    if effect:
        return _decisions(effect=effect)
    return redirect(url_for("duty.decisions"))


@bp.route("/duty/requests/<int:request_id>/decide", methods=["POST"])
@roles_required("admin")
@city_scoped
def decide(request_id: int):
    """Approve or reject a request; an approved swap is checked again and applied, an approved day off takes
    effect."""
    item = db.get_or_404(DutyRequest, request_id)
    require_city(db.session.get(Lawyer, item.lawyer_id).city_id)
    try:
        effect = service.decide(db.session, item, request.form.get("decision") == "approve", current_user.id,
                                request.form.get("note", ""), utcnow(), slots.SlotSettings.from_config(current_app.config))
    except service.RequestError as error:
        db.session.rollback()
        return _decisions(400, error)
    db.session.commit()
    return _decided(effect)


@bp.route("/duty/absences/<int:absence_id>/decide", methods=["POST"])
@roles_required("admin")
@city_scoped
def decide_absence(absence_id: int):
    """Approve or reject an absence; an approved one takes effect at once and its periods wait for a re-plan."""
    item = db.get_or_404(Unavailability, absence_id)
    require_city(db.session.get(Lawyer, item.lawyer_id).city_id)
    try:
        effect = service.decide_unavailability(db.session, item, request.form.get("decision") == "approve",
                                               current_user.id, utcnow(),
                                               slots.SlotSettings.from_config(current_app.config))
    except service.RequestError as error:
        db.session.rollback()
        return _decisions(400, error)
    db.session.commit()
    return _decided(effect)


@bp.route("/duty/periods/<int:period_id>/replan", methods=["POST"])
@roles_required("admin")
@city_scoped
def replan(period_id: int):
    """Re-plan the published period around every approved absence and day off, changing as few duties as possible
    (the changes are shown before they apply)."""
    period = period_or_404(period_id)
    if period.status != "published":
        abort(404)
    job = jobs.submit(db.session, "roster_replan", {"period_id": period.id, "time_limit": 20}, current_user.id,
                      utcnow())
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/duty/periods/<int:period_id>/replan/<int:job_id>", methods=["GET", "POST"])
@roles_required("admin")
@city_scoped
def replan_review(period_id: int, job_id: int):
    """The changes a re-plan proposes; applying them updates the published roster and tells those concerned."""
    from hotline.models import Job
    from hotline.services import rostering

    period = period_or_404(period_id)
    job = db.session.get(Job, job_id)
    result = jobs.result_of(job)
    if period is None or job is None or job.kind != "roster_replan" or not result or result.get("period_id") != period_id:
        abort(404)
    if request.method == "POST":
        try:
            count = rostering.apply_changes(db.session, period, result.get("changes", []), utcnow(),
                                            slots.SlotSettings.from_config(current_app.config))
        except rostering.RosteringError:
            db.session.rollback()
            flash(MESSAGES["roster_changed"](), "error")
            return render_template("duty/replan.html", period=period, job=job, result=result), 409
        db.session.commit()
        flash(ngettext("%(num)d duty change applied.", "%(num)d duty changes applied.", count) + " " + sms_note(), "success")
        return redirect(url_for("duty.period", period_id=period_id))
    return render_template("duty/replan.html", period=period, job=job, result=result)
