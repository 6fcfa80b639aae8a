"""The province matching as flat numpy arrays, for the compiled bound (bound.py) and local search (anneal.py).

Roles are keys ``k = 2 * i + r``: i indexes the list of matchable projects, r is 0 for the primary and 1 for the
backup. ``cost[k, l]`` is the pair cost of lawyer l in that role, infinite where the one-pair rules forbid it, over
*every* eligible lawyer (not only the pruned candidates), so both the bound and the search see the whole problem.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduling.matching.model import HOUR_SCALE, ROLES, Candidates, capacity_units, role_hours, role_units
from scheduling.matching.problem import Id, MatchingProblem


@dataclass(frozen=True)
class MatchArrays:
    """Costs, loads and limits of one matching problem; hours both as floats (bound) and as units (search)."""

    projects: list[int]  # problem index of each matchable project, in key order
    cost: np.ndarray  # (2 * projects, lawyers) float64, inf where not eligible
    hours: np.ndarray  # (2 * projects,) float64 monthly hours of each role
    need: np.ndarray  # (2 * projects,) int64 the same in model units (hundredths, rounded up)
    firm: np.ndarray  # (lawyers,) int64 firm number
    cap_hours: np.ndarray  # (lawyers,) float64 available monthly hours
    cap: np.ndarray  # (lawyers,) int64 the same in model units (rounded down)
    places: np.ndarray  # (lawyers,) int64 most projects a lawyer takes
    fair_hours: np.ndarray  # (lawyers,) float64 fair share of hours
    balance: float  # cost per hour above the fair share


def build_arrays(problem: MatchingProblem, found: Candidates, projects: list[int],
                 fair: dict[Id, float]) -> MatchArrays:
    """Arrays over the eligible candidates of these projects (with `fair` shares by lawyer id)."""
    lawyers = problem.lawyers
    cost = np.full((2 * len(projects), len(lawyers)), np.inf)
    hours = np.empty(2 * len(projects))
    need = np.empty(2 * len(projects), dtype=np.int64)
    for i, p in enumerate(projects):
        for r, role in enumerate(ROLES):
            k = 2 * i + r
            pairs = found.eligible[p, role]
            if pairs:
                chosen, costs = zip(*pairs)
                cost[k, list(chosen)] = costs
            hours[k] = role_hours(problem, problem.projects[p], role)
            need[k] = role_units(problem, problem.projects[p], role)
    firms: dict = {}
    return MatchArrays(
        projects=list(projects), cost=cost, hours=hours, need=need,
        firm=np.array([firms.setdefault(lw.firm, len(firms)) for lw in lawyers], dtype=np.int64),
        cap_hours=np.array([lw.hours for lw in lawyers], dtype=np.float64),
        cap=np.array([capacity_units(lw) for lw in lawyers], dtype=np.int64),
        places=np.array([lw.max_projects for lw in lawyers], dtype=np.int64),
        fair_hours=np.array([fair[lw.id] for lw in lawyers], dtype=np.float64),
        balance=float(problem.weights.balance),
    )


def balance_per_unit(arrays: MatchArrays) -> float:
    """Balance cost of one model hour unit."""
    return arrays.balance / HOUR_SCALE
