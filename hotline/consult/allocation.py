"""Coordinators allocate pending counsel requests to free slots in one batch, review, and publish."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select

from hotline import jobs
from hotline.auth.access import roles_required
from hotline.background.views import start_from_form
from hotline.consult import tasks  # noqa: F401  (registers the booking_allocate job)
from hotline.consult.views import MESSAGES, bp
from hotline.extensions import db
from hotline.models import ConsultationSlot, CounselRequest, Job, Lawyer
from hotline.models.types import utcnow
from hotline.services import allocation
from scheduling import booking as engine


def _reasons() -> dict[str, str]:
    """The engine's reasons for an unallocated request, in the user's language."""
    return {
        engine.NO_WINDOW: _("It has no time window."),
        engine.NO_LAWYER: _("No lawyer with free slots practises its legal area."),
        engine.ALL_EXCLUDED: _("Every lawyer with free slots in its legal area has a conflict of interest."),
        engine.NO_SLOT: _("No slot of a suitable lawyer falls in its time windows."),
        engine.TAKEN: _("Every suitable slot went to a more urgent request."),
        engine.CAPPED: _("The suitable lawyers have reached their daily limit."),
        engine.TAKEN_OR_CAPPED: _("Suitable slots are taken or their lawyers have reached their daily limit."),
        engine.CANCELLED: _("The allocation was cancelled before it finished."),
        engine.NOT_CHOSEN: _("Not allocated in this run."),
        allocation.BAD_WINDOW: _("Its time windows lie outside the dates the system accepts; it was left out of the "
                                 "run. Ask the liaison to enter the request again."),
    }


@bp.route("/consult/allocation")
@roles_required("admin")
def allocation_page():
    """Pending requests, free slots, and the batch runs so far."""
    now = utcnow()
    pending = db.session.scalar(select(func.count(CounselRequest.id)).where(CounselRequest.status == "pending"))
    free = db.session.scalar(select(func.count(ConsultationSlot.id)).where(ConsultationSlot.status == "open",
                                                                         ConsultationSlot.starts_at > now))
    runs = db.session.scalars(select(Job).where(Job.kind == "booking_allocate").order_by(Job.id.desc()).limit(20)).all()
    return render_template("consult/allocation.html", pending=pending, free=free, runs=runs,
                           results={job.id: jobs.result_of(job) for job in runs})


@bp.route("/consult/allocation/run", methods=["POST"])
@roles_required("admin")
def allocation_run():
    """Allocate every pending request in the background."""
    return start_from_form("booking_allocate", {}, url_for("consult.allocation_page"))


def _run_of(job_id: int) -> tuple[Job, dict]:
    job = db.get_or_404(Job, job_id)
    result = jobs.result_of(job)
    if job.kind != "booking_allocate" or result is None:
        abort(404)
    return job, result


@bp.route("/consult/allocation/<int:job_id>")
@roles_required("admin")
def allocation_review(job_id: int):
    """A batch's proposed bookings, the requests it could not serve and why."""
    job, result = _run_of(job_id)
    ids = [p["request_id"] for p in result["proposals"]] + [u["request_id"] for u in result["unallocated"]]
    names = allocation.project_names(db.session, ids)
    lawyers = dict(db.session.execute(select(Lawyer.id, Lawyer.name).where(
        Lawyer.id.in_([p["lawyer_id"] for p in result["proposals"]]))).all())
    times = {p["request_id"]: datetime.fromisoformat(p["starts_at"]) for p in result["proposals"]}
    return render_template("consult/allocation_review.html", job=job, result=result, names=names, lawyers=lawyers,
                           times=times, messages=MESSAGES, reasons=_reasons())


@bp.route("/consult/allocation/<int:job_id>/publish", methods=["POST"])
@roles_required("admin")
def allocation_publish(job_id: int):
    """Book the proposals (each checked again) and text both sides; a batch is published once."""
    job, result = _run_of(job_id)
    if result.get("published"):
        flash(_("This allocation has already been published."), "error")
        return redirect(url_for("consult.allocation_review", job_id=job_id)), 303
    booked, skipped = allocation.publish(db.session, result["proposals"], utcnow())
    result["published"] = True
    result["skipped"] = [{"request_id": rid, "reason": code} for rid, code in skipped]
    job.result_json = jobs.json.dumps(result, ensure_ascii=False)
    db.session.commit()
    flash((ngettext("%(num)d consultation booked.", "%(num)d consultations booked.", booked) + " "
           + ngettext("%(num)d proposal was overtaken since the run and skipped.",
                      "%(num)d proposals were overtaken since the run and skipped.", len(skipped))), "success")
    return redirect(url_for("consult.allocation_review", job_id=job_id))
