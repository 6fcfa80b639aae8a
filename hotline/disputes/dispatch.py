"""The dispatch page: a coordinator runs the dispatch engine over the assessed entries of their part of the ledger as
a background job, reviews the plan (load per committee against its room, each assignment, the unassigned with the
engine's reasons) and publishes it once (one dispatch event per entry, one text per committee's director)."""
from __future__ import annotations

import json
from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import func, select

from hotline.auth.access import city_scoped, roles_required
from hotline.background.views import start_from_form
from hotline.disputes import dispatch_job
from hotline.disputes.scope import NOTHING, PLANNERS, current_scope
from hotline.disputes.views import bp
from hotline.extensions import db
from hotline.models import Dispute, Job, MediationCommittee, OrgUnit
from hotline.models.types import utcnow
from hotline.services import dispute_dispatch
from hotline.telephony import gateway

SHOWN = 500  # rows of a long plan shown on its page (the counts are always whole)


def _waiting(scope) -> dict[str, int]:
    """Assessed entries in the scope by risk level."""
    query = select(Dispute.risk_level, func.count()).where(Dispute.state == "assessed").group_by(Dispute.risk_level)
    return dict(db.session.execute(scope.disputes(query)).all())


def _plans(scope) -> list[tuple[Job, dict]]:
    """The last dispatch jobs started for this part of the ledger or within it."""
    found = []
    for job in db.session.scalars(select(Job).where(Job.kind == dispatch_job.KIND).order_by(Job.id.desc()).limit(200)):
        planned = dispatch_job.scope_of_job(job)
        if planned is not None and dispatch_job.within(planned, scope):
            found.append((job, json.loads(job.result_json) if job.result_json else {}))
        if len(found) == 20:
            break
    return found


def _page(status: int = 200):
    scope = current_scope()
    committees = db.session.scalar(dispute_dispatch.committees_serving(
        select(func.count()).select_from(MediationCommittee).where(MediationCommittee.active.is_(True)), scope))
    return render_template("disputes/dispatch.html", waiting=_waiting(scope), committees=committees,
                           plans=_plans(scope), nothing=scope == NOTHING), status


@bp.route("/dispatch")
@roles_required(*PLANNERS)
@city_scoped
def dispatch_page():
    """What waits for dispatch here, the plans so far and the button that runs the engine."""
    return _page()


@bp.route("/dispatch/run", methods=["POST"])
@roles_required(*PLANNERS)
@city_scoped
def dispatch_run():
    """Plan the dispatch of this part of the ledger in the background."""
    scope = current_scope()
    if scope == NOTHING:
        flash(_("Your account is not attached to a city or an org unit, so there is nothing for you to dispatch."),
              "error")
        return _page(400)
    return start_from_form(dispatch_job.KIND, dispatch_job.scope_params(scope) | {"user_id": current_user.id},
                           url_for("disputes.dispatch_page"))


def _dispatch_job(job_id: int) -> Job:
    """A dispatch job planned for the signed-in coordinator's part of the ledger (or within it); 404 otherwise."""
    job = db.get_or_404(Job, job_id)
    planned = dispatch_job.scope_of_job(job)
    if planned is None or not dispatch_job.within(planned, current_scope()):
        abort(404)
    return job


def _names(result: dict) -> tuple[dict, dict, dict]:
    """The entries and committees a plan names, and the org units of the entries, read in bulk."""
    shown = list(result.get("assignment", {}))[:SHOWN] + list(result.get("unassigned", {}))[:SHOWN]
    skipped = list(((result.get("published") or {}).get("skipped") or {}))[:SHOWN]
    ids = {int(i) for i in shown + skipped}
    entries = {entry.id: entry for entry in db.session.scalars(select(Dispute).where(Dispute.id.in_(ids)))} \
        if ids else {}
    committee_ids = {int(i) for i in result.get("load", {})} | {int(c) for c in result.get("assignment", {}).values()}
    committees = {c.id: c for c in db.session.scalars(select(MediationCommittee).where(
        MediationCommittee.id.in_(committee_ids)))} if committee_ids else {}
    unit_ids = {entry.org_unit_id for entry in entries.values()}
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))} if unit_ids else {}
    return entries, committees, units


@bp.route("/dispatch/plans/<int:job_id>")
@roles_required(*PLANNERS)
@city_scoped
def dispatch_plan(job_id: int):
    """A plan: load per committee against its room, each assignment, the unassigned with reasons; publish it."""
    job = _dispatch_job(job_id)
    if job.status != "succeeded" or not job.result_json:
        return redirect(url_for("jobs.show", job_id=job.id))
    result = json.loads(job.result_json)
    published = result.get("published")
    entries, committees, units = _names(result)
    risk_rank = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}
    assignments = sorted(((int(d), int(c)) for d, c in result.get("assignment", {}).items()),
                         key=lambda pair: (risk_rank.get(getattr(entries.get(pair[0]), "risk_level", ""), 4), pair[0]))
    load = sorted(((int(c), n, result.get("room", {}).get(c, 0)) for c, n in result.get("load", {}).items()),
                  key=lambda row: (-row[1] / max(row[2], 1), row[0]))
    return render_template("disputes/dispatch_plan.html", job=job, result=result, entries=entries,
                           committees=committees, units=units, assignments=assignments[:SHOWN], load=load,
                           unassigned=list(result.get("unassigned", {}).items())[:SHOWN], shown=SHOWN,
                           published=published,
                           published_at=datetime.fromisoformat(published["at"]) if published else None)


@bp.route("/dispatch/plans/<int:job_id>/publish", methods=["POST"])
@roles_required(*PLANNERS)
@city_scoped
def dispatch_publish(job_id: int):
    """Dispatch every entry of the plan that still holds, text each committee's director, once."""
    job = _dispatch_job(job_id)
    now = utcnow()
    try:
        outcome = dispatch_job.publish(db.session, job, current_scope(), current_user, now,
                                       lambda phone, body: gateway.queue_sms(db.session, phone, body,
                                                                             "dispute_dispatch", now))
    except dispatch_job.PlanRefused as refusal:
        db.session.rollback()
        if str(refusal) == "already_published":
            flash(_("This plan was already published; nothing was dispatched again."), "error")
            return redirect(url_for("disputes.dispatch_plan", job_id=job_id)), 303
        flash(_("This job has no plan to publish."), "error")
        return redirect(url_for("jobs.show", job_id=job_id)), 303
    db.session.commit()
    flash(ngettext("%(num)d entry dispatched.", "%(num)d entries dispatched.", outcome.dispatched) + " "
          + ngettext("%(num)d director texted.", "%(num)d directors texted.", outcome.texted), "success")
    if outcome.skipped:
        flash(ngettext("%(num)d entry was skipped (listed below with the reason).",
                       "%(num)d entries were skipped (listed below with the reason).", len(outcome.skipped)), "error")
    return redirect(url_for("disputes.dispatch_plan", job_id=job_id))
