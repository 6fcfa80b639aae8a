"""Why a project cannot be matched, in plain words a coordinator can act on.

A project is unmatchable when the one-pair hard rules leave it no primary, no backup, or no primary and backup from
two different firms. Such projects stay out of the model and the rest are still matched. Projects the rules allow
but that lose out because the fitting lawyers have no room left are reported by the solver with ROOM_REASON.
"""
from __future__ import annotations

from scheduling.common import Words
from scheduling.matching.model import (
    covers_all_areas,
    covers_main_area,
    fits_alone,
    has_no_conflict,
    speaks_languages,
)
from scheduling.matching.problem import Id, Lawyer, MatchingProblem, Project

ROOM_REASON = Words("the lawyers who fit this project have no monthly hours or project places left", "no_room")


def _names(items) -> str:
    return ", ".join(str(item) for item in items)


def _role_reason(problem: MatchingProblem, project: Project, role: str) -> tuple[Words | None, list[Lawyer]]:
    """The first rule that leaves no lawyer for a role (None if some lawyer fits), and the lawyers who fit."""
    if role == "primary":
        pool = [lw for lw in problem.lawyers if covers_all_areas(lw, project)]
        if not pool:
            return Words(f"no lawyer covers all the legal areas the project needs ({_names(project.areas)})",
                         "no_area_cover", areas=list(project.areas)), []
        share = 1.0
    else:
        pool = [lw for lw in problem.lawyers if covers_main_area(lw, project)]
        if not pool:
            return Words(f"no lawyer covers the project's main legal area ({project.main_area}) to act as backup",
                         "no_main_area", area=project.main_area), []
        share = problem.backup_share
    pool = [lw for lw in pool if speaks_languages(lw, project)]
    if not pool:
        return Words(f"no lawyer who covers the legal areas for the {role} also speaks {_names(project.languages)}",
                     "no_language", role=role, languages=list(project.languages)), []
    pool = [lw for lw in pool if has_no_conflict(lw, project)]
    if not pool:
        return Words(f"every lawyer who could be the {role} has a conflict of interest with the project",
                     "conflict", role=role), []
    pool = [lw for lw in pool if fits_alone(lw, project, share)]
    if not pool:
        return Words(f"the {role} role needs {project.hours * share:g} hours a month, more than any fitting lawyer "
                     "has available", "no_hours", role=role, hours=round(project.hours * share, 2)), []
    return None, pool


def unmatchable_reason(problem: MatchingProblem, project: Project) -> Words | None:
    """Why the hard rules leave this project no counsel, or None if some primary and backup pair fits."""
    reason, primaries = _role_reason(problem, project, "primary")
    if reason:
        return reason
    reason, backups = _role_reason(problem, project, "backup")
    if reason:
        return reason
    for primary in primaries:
        if any(b.id != primary.id and b.firm != primary.firm for b in backups):
            return None
    firms = sorted({str(lw.firm) for lw in primaries + backups})
    return Words(f"primary and backup must come from two different firms, but every lawyer who fits works at "
                 f"{_names(firms)}", "one_firm", firms=sorted({lw.firm for lw in primaries + backups}, key=str))


def unmatchable(problem: MatchingProblem) -> dict[Id, Words]:
    """Every project the hard rules leave without counsel, with the reason."""
    found: dict[Id, Words] = {}
    for project in problem.projects:
        reason = unmatchable_reason(problem, project)
        if reason:
            found[project.id] = reason
    return found
