"""Background job of the batch allocation of counsel requests."""
from __future__ import annotations

from hotline.extensions import db
from hotline.jobs import JobCancelled, JobContext, handler
from hotline.models.types import utcnow
from hotline.services import allocation
from scheduling.common import Progress, SolverSettings


@handler("booking_allocate")
def booking_allocate(context: JobContext) -> dict:
    """Allocate every pending request to a free slot; the proposal waits in the job's result for publishing."""

    def progress(p: Progress) -> None:
        context.report(objective=round(p.objective, 1), bound=round(p.bound, 1) if p.bound == p.bound else None,
                       seconds=round(p.seconds, 1))

    settings = SolverSettings(time_limit=float(context.params.get("time_limit", 30)),
                              workers=int(context.params.get("workers", 2)), seed=int(context.params.get("seed", 0)))
    problem, skipped = allocation.build_problem(db.session, utcnow())
    db.session.rollback()  # no database lock is held during the solve
    result = allocation.solve(problem, settings, progress, context.cancel, skipped)
    if context.cancel.cancelled and not result["proposals"]:
        raise JobCancelled()
    return result
