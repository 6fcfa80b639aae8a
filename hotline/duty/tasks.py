"""Background jobs of the duty roster: solving a period with the roster engine."""
from __future__ import annotations

from hotline.extensions import db
from hotline.jobs import JobCancelled, JobContext, handler
from hotline.models import DutyPeriod
from hotline.services import rostering
from scheduling.common import Progress, SolverSettings
from scheduling.roster.penalties import by_person, by_rule
from scheduling.roster.solve import solve

MAX_ITEMS = 300


@handler("roster_solve")
def roster_solve(context: JobContext) -> dict:
    """Build the period's problem, solve it with progress and cancel, store the roster as the period's draft."""
    period = db.session.get(DutyPeriod, context.params["period_id"])
    built = rostering.build_problem(db.session, period)
    db.session.rollback()  # no database lock is held during the solve

    def progress(p: Progress) -> None:
        context.report(objective=p.objective, bound=p.bound, seconds=round(p.seconds, 1))

    settings = SolverSettings(time_limit=float(context.params.get("time_limit", 60)),
                              workers=int(context.params.get("workers", 2)), seed=int(context.params.get("seed", 0)))
    result = solve(built.problem, settings, on_progress=progress, cancel=context.cancel)
    if result.roster is None and context.cancel.cancelled:
        raise JobCancelled()
    names = {staff.id: staff.label for staff in built.problem.staff}
    summary = {
        "period_id": period.id, "status": result.status, "objective": result.objective, "bound": result.stats.bound,
        "wall_s": round(result.stats.wall_s, 2), "cancelled": context.cancel.cancelled,
        "explanation": result.explanation,
    }
    if result.roster is not None:
        period = db.session.get(DutyPeriod, context.params["period_id"])
        summary["duties"] = rostering.store_roster(db.session, period, built, result.roster)
        db.session.commit()
        summary["by_rule"] = by_rule(result.penalties)
        summary["by_person"] = {names.get(k, k): v for k, v in sorted(by_person(result.penalties).items(),
                                                                     key=lambda kv: -kv[1])[:50]}
        summary["items"] = [item.words for item in result.penalties[:MAX_ITEMS]]
    return summary
