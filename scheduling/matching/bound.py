"""A proven lower bound on the matching cost, valid for the whole problem (not only the pruned candidates).

The LP relaxation of the pruned model (GLOP) prices each lawyer's hours, project places and hours above the fair
share. With those prices as Lagrangian multipliers the capacity rules drop out and each project independently takes
its cheapest primary and backup from two different firms among *all* eligible lawyers (or stays unmatched at the
penalty). The sum of those minima plus the price constants bounds every matching from below, whatever the pruning.
"""
from __future__ import annotations

import math

from ortools.linear_solver import pywraplp

from scheduling.matching.model import UNMATCHED_PENALTY, Candidates, fair_shares, role_hours
from scheduling.matching.problem import MatchingProblem

Prices = tuple[list[float], list[float], list[float]]


def lp_prices(problem: MatchingProblem, found: Candidates, projects: list[int],
              time_limit: float) -> tuple[Prices, dict] | None:
    """Dual prices (hours, places, hours above fair share; all <= 0) of the pruned LP and the LP's favourite
    lawyer per (project, role); None if the LP did not finish."""
    fair = fair_list(problem, projects)
    # PDLP to a 1e-4 tolerance: about 5x faster than simplex here, and any prices give a valid bound
    solver = pywraplp.Solver.CreateSolver("PDLP")
    if solver is None:
        return None
    solver.SetSolverSpecificParametersAsString(
        "num_threads: 2 termination_criteria { simple_optimality_criteria "
        "{ eps_optimal_relative: 1e-4 eps_optimal_absolute: 1e-4 } }")
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    inf = solver.infinity()
    n_law = len(problem.lawyers)
    hours_rows = [solver.Constraint(-inf, lw.hours) for lw in problem.lawyers]
    place_rows = [solver.Constraint(-inf, lw.max_projects) for lw in problem.lawyers]
    fair_rows = [solver.Constraint(-inf, fair[l]) for l in range(n_law)]
    objective = solver.Objective()
    columns = []
    for l in range(n_law):
        over = solver.NumVar(0.0, inf, "")
        fair_rows[l].SetCoefficient(over, -1.0)
        objective.SetCoefficient(over, problem.weights.balance)
    for p in projects:
        project = problem.projects[p]
        left_out = solver.NumVar(0.0, inf, "")
        objective.SetCoefficient(left_out, UNMATCHED_PENALTY)
        for role in ("primary", "backup"):
            row = solver.Constraint(1.0, 1.0)
            row.SetCoefficient(left_out, 1.0)
            hours = role_hours(problem, project, role)
            for l, cost in found.pruned[p, role]:
                var = solver.NumVar(0.0, inf, "")
                columns.append((p, role, l, var))
                row.SetCoefficient(var, 1.0)
                hours_rows[l].SetCoefficient(var, hours)
                place_rows[l].SetCoefficient(var, 1.0)
                fair_rows[l].SetCoefficient(var, hours)
                objective.SetCoefficient(var, cost)
    objective.SetMinimization()
    if solver.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    weight = problem.weights.balance
    prices = (
        [min(0.0, r.dual_value()) for r in hours_rows],
        [min(0.0, r.dual_value()) for r in place_rows],
        [max(-weight, min(0.0, r.dual_value())) for r in fair_rows],
    )
    favourite: dict = {}
    for p, role, l, var in columns:
        value = var.solution_value()
        if value > favourite.get((p, role), (None, 1e-3))[1]:
            favourite[p, role] = (l, value)
    return prices, {key: l for key, (l, _) in favourite.items()}


def _best_pair(problem: MatchingProblem, primaries: list[tuple[int, float]],
               backups: list[tuple[int, float]]) -> float:
    """Cheapest primary + backup from two different firms (inf if none)."""
    by_firm: dict = {}
    for l, cost in backups:
        firm = problem.lawyers[l].firm
        if cost < by_firm.get(firm, math.inf):
            by_firm[firm] = cost
    ranked = sorted(by_firm.items(), key=lambda item: item[1])[:2]
    best = math.inf
    for l, cost in primaries:
        firm = problem.lawyers[l].firm
        for backup_firm, backup_cost in ranked:
            if backup_firm != firm:
                best = min(best, cost + backup_cost)
                break
    return best


def priced_candidates(problem: MatchingProblem, found: Candidates, p: int, prices: Prices, pool: str = "eligible"):
    """A project's candidates per role with their cost plus the priced use of hours, places and fair share."""
    hour_price, place_price, fair_price = prices
    project = problem.projects[p]
    lists = found.eligible if pool == "eligible" else found.pruned
    priced = {}
    for role in ("primary", "backup"):
        hours = role_hours(problem, project, role)
        priced[role] = [(l, cost - (hour_price[l] + fair_price[l]) * hours - place_price[l])
                        for l, cost in lists[p, role]]
    return priced


def fair_list(problem: MatchingProblem, projects: list[int]) -> list[float]:
    """Fair shares of hours in lawyer order."""
    fair_by_id = fair_shares(problem, [problem.projects[p] for p in projects])
    return [fair_by_id[lw.id] for lw in problem.lawyers]


def lagrangian_bound(problem: MatchingProblem, found: Candidates, projects: list[int], prices: Prices) -> float:
    """Lower bound on the cost of any matching of these projects, from the given (non-positive) prices."""
    fair = fair_list(problem, projects)
    hour_price, place_price, fair_price = prices
    total = sum(hour_price[l] * lw.hours + place_price[l] * lw.max_projects + fair_price[l] * fair[l]
                for l, lw in enumerate(problem.lawyers))
    for p in projects:
        priced = priced_candidates(problem, found, p, prices)
        total += min(UNMATCHED_PENALTY, _best_pair(problem, priced["primary"], priced["backup"]))
    return total
