"""A job's progress page, its JSON for the live view, and cancel."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline import jobs
from hotline.auth.access import bureau_city, city_scoped, require_city, roles_required
from hotline.extensions import db
from hotline.formkit import seconds_field
from hotline.models import DutyPeriod, Job
from hotline.models.types import utcnow

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def start_from_form(kind: str, params: dict, back: str):
    """Start a background job with the time limit posted in the form and show its progress; a bad time limit is
    refused back to `back` (303)."""
    time_limit = seconds_field(request.form.get("time_limit"))
    if time_limit is None:
        flash(_("The time limit must be between 5 and 600 seconds."), "error")
        return redirect(back), 303
    job = jobs.submit(db.session, kind, params | {"time_limit": time_limit}, current_user.id, utcnow())
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


def _job(job_id: int) -> Job:
    jobs.reap_stale(db.session, utcnow(), embedded=not current_app.config.get("REDIS_URL"))
    db.session.commit()
    job = db.get_or_404(Job, job_id)
    if job.kind == "dispute_dispatch":
        # a dispatch job is followed by the coordinators whose part of the ledger holds the part it plans for
        from hotline.disputes.dispatch_job import scope_of_job, within
        from hotline.disputes.scope import current_scope

        planned = scope_of_job(job)
        if planned is None or not within(planned, current_scope()):
            abort(404)
        return job
    if current_user.role != "admin":
        abort(404)  # a bureau coordinator follows only the dispatch of their own part of the ledger
    if bureau_city() is not None:
        # a city bureau follows the solves of its own periods only
        period_id = json.loads(job.params_json or "{}").get("period_id")
        period = db.session.get(DutyPeriod, period_id) if isinstance(period_id, int) else None
        require_city(period.city_id if period is not None else -1)
    return job


def error_words(job: Job) -> str:
    """Why a job ended without a result, in the reader's language (the stored text is English, for the log)."""
    error = job.error or ""
    if not error:
        return ""
    if error == "cancelled by a coordinator":
        return _("Cancelled by a coordinator.")
    if error == "cancelled before it started":
        return _("Cancelled before it started.")
    if error.startswith("the worker stopped responding"):
        return _("The worker running this job stopped responding. Start it again.")
    if error.startswith("never started"):
        return _("This job never started: the server that queued it stopped first. Start it again.")
    return _("The job stopped on an unexpected error. Start it again; if it fails again, give the administrator "
             "the job number and the technical detail below.")


def technical_detail(job: Job) -> str:
    """The stored exception text of a job that failed on an unexpected error (empty for the known endings)."""
    error = job.error or ""
    known = ("cancelled by a coordinator", "cancelled before it started", "the worker stopped responding",
             "never started")
    return "" if not error or error.startswith(known) else error


def _state(job: Job) -> dict:
    result = jobs.result_of(job) or {}
    return {"id": job.id, "kind": job.kind, "status": job.status, "error": error_words(job),
            "progress": jobs.progress_of(job), "cancel_requested": job.cancel_requested,
            "result": {k: result.get(k) for k in ("status", "objective", "bound", "wall_s", "period_id", "plan_id")}}


@bp.route("/<int:job_id>")
@roles_required("admin", "bureau")
@city_scoped
def show(job_id: int):
    """Live progress of a job (objective, bound, seconds), with a cancel button."""
    job = _job(job_id)
    return render_template("jobs/show.html", job=job, state=_state(job), detail=technical_detail(job))


@bp.route("/<int:job_id>.json")
@roles_required("admin", "bureau")
@city_scoped
def state(job_id: int):
    """The job's state for the live view."""
    return jsonify(_state(_job(job_id)))


@bp.route("/<int:job_id>/cancel", methods=["POST"])
@roles_required("admin", "bureau")
@city_scoped
def cancel(job_id: int):
    """Ask the job to stop (it keeps the best answer it has)."""
    job = _job(job_id)
    jobs.request_cancel(db.session, job)
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))
