"""Re-matching after a change (a lawyer leaves, projects are added): keep what need not change, list the changes.

Every role whose current lawyer is still allowed keeps that lawyer; only the other roles are matched again. If that
leaves some project without counsel for lack of room, a second pass lets kept roles move too, with the continuity
cost keeping moves few, and the answer with fewer projects left out wins.
"""
from __future__ import annotations

from dataclasses import replace

from scheduling.common import CancelToken, ProgressCallback, SolverSettings
from scheduling.matching.explain import ROOM_REASON
from scheduling.matching.problem import Change, Counsel, Id, MatchingProblem, MatchResult
from scheduling.matching.solve import match


def with_current(problem: MatchingProblem, previous: dict[Id, Counsel]) -> MatchingProblem:
    """The problem with each project's current counsel taken from the previous matching."""
    projects = tuple(
        replace(p, current_primary=previous[p.id].primary, current_backup=previous[p.id].backup)
        if p.id in previous else p
        for p in problem.projects
    )
    return replace(problem, projects=projects)


def changes(previous: dict[Id, Counsel], current: dict[Id, Counsel]) -> list[Change]:
    """Every role whose lawyer differs between two matchings (None: no counsel on that side)."""
    found = []
    for pid in list(previous) + [pid for pid in current if pid not in previous]:
        before, after = previous.get(pid), current.get(pid)
        for role in ("primary", "backup"):
            old = getattr(before, role) if before else None
            new = getattr(after, role) if after else None
            if old != new:
                found.append(Change(project=pid, role=role, before=old, after=new))
    return found


def rematch(
    problem: MatchingProblem,
    previous: dict[Id, Counsel],
    settings: SolverSettings = SolverSettings(),
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> MatchResult:
    """Match again after a change, keeping every still-allowed assignment of `previous`; fills result.changes."""
    updated = with_current(problem, previous)
    result = match(updated, settings, on_progress, cancel, fixed=previous)
    left_out = [pid for pid, reason in result.unmatched.items() if reason == ROOM_REASON]
    if left_out and not (cancel is not None and cancel.cancelled):
        loose = match(updated, settings, on_progress, cancel)
        if sum(r == ROOM_REASON for r in loose.unmatched.values()) < len(left_out):
            result = loose
    known = {project.id for project in problem.projects}
    result.changes = changes({pid: c for pid, c in previous.items() if pid in known}, result.counsel)
    return result
