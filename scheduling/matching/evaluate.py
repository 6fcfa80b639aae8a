"""Cost and rule check of a finished matching, straight from the problem (no model involved)."""
from __future__ import annotations

from scheduling.matching.model import (
    UNMATCHED_PENALTY,
    eligible,
    fair_shares,
    pair_terms,
    role_hours,
)
from scheduling.matching.problem import Counsel, Id, MatchingProblem

TERMS = ("travel", "expertise", "priority", "continuity", "balance", "unmatched")


def breakdown(problem: MatchingProblem, counsel: dict[Id, Counsel], short_of_room: int,
              matchable: list[int]) -> dict[str, float]:
    """Cost of a matching per named term; short_of_room counts matchable projects left without counsel."""
    lawyers = problem.lawyer_index()
    projects = {project.id: project for project in problem.projects}
    total = dict.fromkeys(TERMS, 0.0)
    loads = {lawyer.id: 0.0 for lawyer in problem.lawyers}
    for pid, chosen in counsel.items():
        project = projects[pid]
        for role, lid in (("primary", chosen.primary), ("backup", chosen.backup)):
            for name, value in pair_terms(problem, project, lawyers[lid], role).items():
                total[name] += value
            loads[lid] += role_hours(problem, project, role)
    fair = fair_shares(problem, [problem.projects[p] for p in matchable])
    total["balance"] = problem.weights.balance * sum(max(0.0, loads[l] - fair[l]) for l in loads)
    total["unmatched"] = UNMATCHED_PENALTY * short_of_room
    return total


def broken_rules(problem: MatchingProblem, counsel: dict[Id, Counsel]) -> list[str]:
    """Every hard rule the matching breaks, in words (empty when it keeps them all)."""
    lawyers = problem.lawyer_index()
    projects = {project.id: project for project in problem.projects}
    problems: list[str] = []
    hours = {lid: 0.0 for lid in lawyers}
    count = {lid: 0 for lid in lawyers}
    for pid, chosen in counsel.items():
        project = projects[pid]
        if chosen.primary == chosen.backup or lawyers[chosen.primary].firm == lawyers[chosen.backup].firm:
            problems.append(f"project {pid}: primary and backup are not from different firms")
        for role, lid in (("primary", chosen.primary), ("backup", chosen.backup)):
            if not eligible(problem, project, lawyers[lid], role):
                problems.append(f"project {pid}: lawyer {lid} may not be its {role}")
            hours[lid] += role_hours(problem, project, role)
            count[lid] += 1
    for lid, lawyer in lawyers.items():
        if hours[lid] > lawyer.hours + 1e-6:
            problems.append(f"lawyer {lid}: {hours[lid]:g} hours, over the {lawyer.hours:g} available")
        if count[lid] > lawyer.max_projects:
            problems.append(f"lawyer {lid}: {count[lid]} projects, over the maximum of {lawyer.max_projects}")
    return problems
