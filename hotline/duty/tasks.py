"""Background jobs of the duty roster: solving a period with the roster engine."""
from __future__ import annotations

from hotline.engine_words import stored
from hotline.extensions import db
from hotline.jobs import JobCancelled, JobContext, handler
from hotline.models import DutyPeriod
from hotline.models.types import utcnow
from hotline.services import rostering
from scheduling.common import Progress, SolverSettings
from scheduling.roster.explain import explain
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
        context.report(objective=p.objective, bound=penalty_bound(p.bound), seconds=round(p.seconds, 1))

    settings = SolverSettings(time_limit=float(context.params.get("time_limit", 60)),
                              workers=int(context.params.get("workers", 2)), seed=int(context.params.get("seed", 0)))
    result = solve(built.problem, settings, on_progress=progress, cancel=context.cancel)
    if result.roster is None and context.cancel.cancelled:
        raise JobCancelled()
    names = {staff.id: staff.label for staff in built.problem.staff}
    summary = {
        "period_id": period.id, "status": result.status, "objective": result.objective, "bound": result.stats.bound,
        "wall_s": round(result.stats.wall_s, 2), "cancelled": context.cancel.cancelled,
        "explanation": [stored(rule) for rule in result.explanation],
    }
    if result.roster is None and not result.explanation:
        # The time ran out before any roster: ask whether the hard rules can hold at all, so the coordinator
        # learns either which rules conflict or that a longer time limit is what is needed.
        summary["explanation"], summary["rules_hold"] = why_no_roster(built.problem, context)
    if result.roster is not None:
        period = db.session.get(DutyPeriod, context.params["period_id"])
        summary["duties"] = rostering.store_roster(db.session, period, built, result.roster)
        db.session.commit()
        summary["by_rule"] = by_rule(result.penalties)
        summary["by_person"] = {names.get(k, k): v for k, v in sorted(by_person(result.penalties).items(),
                                                                     key=lambda kv: -kv[1])[:50]}
        summary["items"] = [stored(item.words) for item in result.penalties[:MAX_ITEMS]]
    return summary


EXPLAIN_LIMIT = 30.0


def penalty_bound(bound: float | None) -> float | None:
    """The solver's live lower bound as the period page shows the final one: no penalty is below zero, so a negative
    bound (the model's constant terms not yet counted) says no more than zero does."""
    return None if bound is None else max(0.0, bound)


def why_no_roster(problem, context: JobContext) -> tuple[list, bool | None]:
    """(conflicting hard rules as stored sentences, whether the rules can all hold: True, False, or None when that is
    not known)."""
    verdict = explain(problem, SolverSettings(time_limit=EXPLAIN_LIMIT, workers=2))
    return ([stored(rule) for rule in verdict.rules] if verdict.feasible is False else []), verdict.feasible


@handler("roster_replan")
def roster_replan(context: JobContext) -> dict:
    """After an approved absence: a new roster for the published period changing as few duties as possible."""
    from scheduling.roster.replan import replan

    period = db.session.get(DutyPeriod, context.params["period_id"])
    built = rostering.build_problem(db.session, period)  # the approved absence is among the days off
    published = rostering.published_roster(db.session, period, built)
    today = rostering.day_index(period, utcnow())
    db.session.rollback()

    def progress(p: Progress) -> None:
        context.report(objective=p.objective, bound=penalty_bound(p.bound), seconds=round(p.seconds, 1))

    settings = SolverSettings(time_limit=float(context.params.get("time_limit", 20)), workers=2, seed=0)
    outcome = replan(built.problem, published, [], settings, frozen_before=max(today, 0), on_progress=progress,
                     cancel=context.cancel)
    if outcome.result.roster is None and context.cancel.cancelled:
        raise JobCancelled()
    explanation, rules_hold = [stored(rule) for rule in outcome.result.explanation], None
    if outcome.result.roster is None and not explanation:
        explanation, rules_hold = why_no_roster(built.problem, context)
    return {
        "period_id": period.id, "status": outcome.result.status, "objective": outcome.result.objective,
        "bound": outcome.result.stats.bound, "wall_s": round(outcome.result.stats.wall_s, 2),
        "explanation": explanation, "rules_hold": rules_hold,
        "changes": [{"lawyer_id": built.lawyer_ids[c.staff], "day": c.day, "before": c.before, "after": c.after,
                     "words": stored(c.words)} for c in outcome.changes],
    }
