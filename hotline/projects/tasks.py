"""Background job of the FTZ project-counsel matching."""
from __future__ import annotations

import json

from hotline.extensions import db
from hotline.jobs import JobCancelled, JobContext, handler
from hotline.models.types import utcnow
from hotline.services import matching
from scheduling.common import Progress, SolverSettings
from scheduling.matching.solve import match


@handler("match_solve")
def match_solve(context: JobContext) -> dict:
    """Match every active key project to a primary and a backup lawyer and keep the result as a draft plan."""
    problem = matching.build_problem(db.session)
    db.session.rollback()  # no database lock is held during the solve

    def progress(p: Progress) -> None:
        context.report(objective=round(p.objective, 1), bound=round(p.bound, 1) if p.bound == p.bound else None,
                       seconds=round(p.seconds, 1))

    settings = SolverSettings(time_limit=float(context.params.get("time_limit", 30)),
                              workers=int(context.params.get("workers", 2)), seed=int(context.params.get("seed", 0)))
    result = match(problem, settings, on_progress=progress, cancel=context.cancel)
    if not result.counsel and context.cancel.cancelled:
        raise JobCancelled()
    plan = matching.store_plan(db.session, result, context.params.get("user_id"), context.job_id,
                               json.dumps(context.params), utcnow())
    db.session.commit()
    return {"plan_id": plan.id, "status": result.status, "objective": result.objective, "bound": result.bound,
            "gap": result.gap, "wall_s": round(result.wall_s, 2), "matched": len(result.counsel),
            "unmatched": len(result.unmatched), "greedy_objective": result.greedy_objective,
            "breakdown": result.breakdown, "cancelled": context.cancel.cancelled}
