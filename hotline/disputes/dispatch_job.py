"""The dispatch engine as a background job over a coordinator's part of the ledger, the plan it keeps (the job's
result) and publishing that plan once.

A plan is the job's result: the assignment, the unassigned entries with the engine's reasons (stored as codes, said
in the reader's language), each committee's load against the room it had, and the last event number of every entry
planned, so that publishing skips an entry whose history moved on since. Publishing locks the job's row and writes
what it did into the result; a second publish finds it there and dispatches nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.disputes.scope import Scope
from hotline.engine_words import stored
from hotline.extensions import db
from hotline.jobs import JobContext, handler
from hotline.models import Job
from hotline.services import dispute_dispatch

KIND = "dispute_dispatch"


def scope_params(scope: Scope) -> dict:
    """What a job keeps of the scope it plans for."""
    return {"scope": {"city_id": scope.city_id, "path": scope.path}}


def scope_of_job(job: Job) -> Scope | None:
    """The scope a dispatch job planned for (None for another kind of job, or one without a scope)."""
    if job.kind != KIND:
        return None
    kept = json.loads(job.params_json or "{}").get("scope")
    if not isinstance(kept, dict):
        return None
    return Scope(city_id=kept.get("city_id"), path=kept.get("path"))


def within(inner: Scope, outer: Scope) -> bool:
    """The part of the ledger `inner` lies wholly inside `outer` (a city's coordinator follows its counties' plans)."""
    if outer.committee_id is not None or inner.committee_id is not None:
        return False
    if outer.city_id is not None and inner.city_id != outer.city_id:
        return False
    return outer.path is None or (inner.path or "").startswith(outer.path)


@handler(KIND)
def dispute_dispatch_job(context: JobContext) -> dict:
    """Plan the dispatch of every assessed entry in the job's scope; the plan is the result."""
    kept = context.params.get("scope") or {}
    scope = Scope(city_id=kept.get("city_id"), path=kept.get("path"))
    context.report(seconds=0)
    planned_versions = dispute_dispatch.versions(db.session, scope)  # read first: a later change is then skipped
    problem = dispute_dispatch.build_problem(db.session, scope=scope)
    db.session.rollback()  # no database lock is held during the solve
    result = dispute_dispatch.solve(problem)
    context.report(seconds=round(result.wall_s, 1))
    room = {committee.id: committee.capacity for committee in problem.committees}
    return {
        "status": result.status, "objective": list(result.objective), "wall_s": round(result.wall_s, 3),
        "scope": scope.key, "disputes": len(problem.disputes), "committees": len(problem.committees),
        "assignment": result.assignment,
        "unassigned": {dispute_id: stored(words) for dispute_id, words in result.unassigned.items()},
        "load": {committee_id: load for committee_id, load in result.load.items() if load},
        "room": room, "served_by_risk": result.served_by_risk, "level_total": result.level_total,
        "distance_km": result.distance_km, "stages": result.stages,
        "versions": {str(dispute_id): seq for dispute_id, seq in planned_versions.items()},
        "published": None,
    }


class PlanRefused(ValueError):
    """A plan that cannot be published: 'not_ready' (the job has no plan) or 'already_published'."""


@dataclass(frozen=True)
class Outcome:
    dispatched: int
    texted: int
    skipped: dict[int, str]


def publish(session: Session, job: Job, scope: Scope, user, now: datetime, text) -> Outcome:
    """Publish a dispatch job's plan once (the job's row is locked while it is done); the caller commits."""
    locked = session.scalar(select(Job).where(Job.id == job.id).with_for_update()
                            .execution_options(populate_existing=True))
    result = json.loads(locked.result_json) if locked.result_json else None
    if locked.kind != KIND or locked.status != "succeeded" or result is None or "assignment" not in result:
        raise PlanRefused("not_ready")
    if result.get("published"):
        raise PlanRefused("already_published")
    done = dispute_dispatch.publish_plan(session, result["assignment"], result.get("versions") or {}, scope, user,
                                         now, text, plan_id=locked.id)
    result["published"] = {"at": now.isoformat(), "by": getattr(user, "id", None), "dispatched": done.dispatched,
                           "texted": done.texted, "skipped": {str(k): v for k, v in done.skipped.items()}}
    locked.result_json = json.dumps(result, ensure_ascii=False)
    session.flush()
    return Outcome(dispatched=done.dispatched, texted=done.texted, skipped=done.skipped)
