"""A job's progress page, its JSON for the live view, and cancel."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for

from hotline import jobs
from hotline.auth.access import roles_required
from hotline.extensions import db
from hotline.models import Job
from hotline.models.types import utcnow

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _job(job_id: int) -> Job:
    jobs.reap_stale(db.session, utcnow(), embedded=not current_app.config.get("REDIS_URL"))
    db.session.commit()
    job = db.get_or_404(Job, job_id)
    return job


def _state(job: Job) -> dict:
    result = jobs.result_of(job) or {}
    return {"id": job.id, "kind": job.kind, "status": job.status, "error": job.error,
            "progress": jobs.progress_of(job), "cancel_requested": job.cancel_requested,
            "result": {k: result.get(k) for k in ("status", "objective", "bound", "wall_s", "period_id", "plan_id")}}


@bp.route("/<int:job_id>")
@roles_required("admin")
def show(job_id: int):
    """Live progress of a job (objective, bound, seconds), with a cancel button."""
    job = _job(job_id)
    return render_template("jobs/show.html", job=job, state=_state(job))


@bp.route("/<int:job_id>.json")
@roles_required("admin")
def state(job_id: int):
    """The job's state for the live view."""
    return jsonify(_state(_job(job_id)))


@bp.route("/<int:job_id>/cancel", methods=["POST"])
@roles_required("admin")
def cancel(job_id: int):
    """Ask the job to stop (it keeps the best answer it has)."""
    job = _job(job_id)
    jobs.request_cancel(db.session, job)
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))
