"""LP relaxation of the GAP: a proven lower bound, Lagrangian reduced costs and an LP-rounded start.

The capacity duals u (u <= 0) give the Lagrangian bound L(u) = sum_j min_i (c_ij - u_i a_ij) + sum_i u_i b_i, valid
for any u <= 0 and equal to the LP value at the LP optimum. The reduced cost rc_ij = (c_ij - u_i a_ij) - min_k (...)
then satisfies cost(x) >= L(u) + sum rc_ij x_ij for every feasible x, so a pair with L + rc_ij > UB cannot be in any
solution as good as UB: the solver drops it.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from scheduling.matching.gap import GapProblem


@dataclass
class LpInfo:
    """What the LP tells the solver: bound, reduced costs, the LP point's agent per job (None if split), and the
    capacity duals (<= 0: the price of a unit of each agent's capacity)."""

    bound: float
    reduced: list[list[float]]
    rounded: list[int | None]
    infeasible: bool = False
    duals: list[float] | None = None


def job_prices(problem: GapProblem, duals: list[float]) -> list[float]:
    """Each job's price for capacity multipliers duals (clamped to <= 0): v_j = min_i (c_ij - u_i a_ij) over the
    agents job j fits (inf when it fits none)."""
    u = [min(0.0, d) for d in duals]
    return [min((problem.costs[i][j] - u[i] * problem.weights[i][j] for i in range(problem.agents)
                 if problem.weights[i][j] <= problem.capacities[i]), default=math.inf) for j in range(problem.jobs)]


def lagrangian(problem: GapProblem, duals: list[float]) -> tuple[float, list[list[float]]]:
    """Lagrangian bound and reduced costs for capacity multipliers duals (clamped to <= 0)."""
    u = [min(0.0, d) for d in duals]
    prices = job_prices(problem, u)
    reduced = [[problem.costs[i][j] - u[i] * problem.weights[i][j] - prices[j]
                if problem.weights[i][j] <= problem.capacities[i] else math.inf for j in range(problem.jobs)]
               for i in range(problem.agents)]
    return sum(prices, sum(ui * bi for ui, bi in zip(u, problem.capacities))), reduced


def _first_columns(problem: GapProblem, per_job: int) -> set[tuple[int, int]]:
    """Starting columns: for each job its cheapest agents and its lightest agents (relative to capacity)."""
    chosen: set[tuple[int, int]] = set()
    m = problem.agents
    for j in range(problem.jobs):
        fits = [i for i in range(m) if problem.weights[i][j] <= problem.capacities[i]]
        fits_by_cost = sorted(fits, key=lambda i: problem.costs[i][j])[:per_job]
        fits_by_weight = sorted(fits, key=lambda i: problem.weights[i][j] / max(1, problem.capacities[i]))
        chosen.update((i, j) for i in fits_by_cost)
        chosen.update((i, j) for i in fits_by_weight[: max(2, per_job // 2)])
    return chosen


def lp_relaxation(problem: GapProblem, time_limit: float, per_job: int = 8) -> LpInfo | None:
    """Solve the LP relaxation with GLOP by column generation; None if it did not finish in time."""
    started = time.monotonic()
    m, n = problem.agents, problem.jobs
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    infinity = solver.infinity()
    x: dict[tuple[int, int], pywraplp.Variable] = {}
    job_rows = [solver.Constraint(1.0, 1.0) for _ in range(n)]
    agent_rows = [solver.Constraint(-infinity, float(problem.capacities[i])) for i in range(m)]
    objective = solver.Objective()
    objective.SetMinimization()

    def add(columns) -> None:
        for i, j in columns:
            var = solver.NumVar(0.0, infinity, "")
            x[i, j] = var
            job_rows[j].SetCoefficient(var, 1.0)
            agent_rows[i].SetCoefficient(var, float(problem.weights[i][j]))
            objective.SetCoefficient(var, float(problem.costs[i][j]))

    add(_first_columns(problem, per_job) if per_job < m else
        [(i, j) for i in range(m) for j in range(n) if problem.weights[i][j] <= problem.capacities[i]])
    while True:
        left = time_limit - (time.monotonic() - started)
        if left <= 0:
            return None
        solver.SetTimeLimit(max(1, int(left * 1000)))
        status = solver.Solve()
        if status == pywraplp.Solver.INFEASIBLE and len(x) < m * n:
            # too few columns to be feasible: fall back to all of them
            add([(i, j) for i in range(m) for j in range(n)
                 if (i, j) not in x and problem.weights[i][j] <= problem.capacities[i]])
            continue
        if status == pywraplp.Solver.INFEASIBLE:
            return LpInfo(bound=math.inf, reduced=[], rounded=[], infeasible=True)
        if status != pywraplp.Solver.OPTIMAL:
            return None
        u = [min(0.0, row.dual_value()) for row in agent_rows]
        v = [row.dual_value() for row in job_rows]
        priced = []
        for j in range(n):
            # partial pricing: the few most negative reduced costs of each job
            negative = sorted(
                (problem.costs[i][j] - v[j] - u[i] * problem.weights[i][j], i) for i in range(m)
                if (i, j) not in x and problem.weights[i][j] <= problem.capacities[i]
            )
            priced.extend((i, j) for value, i in negative[:3] if value < -1e-7)
        if not priced:
            break
        add(priced)
    bound, reduced = lagrangian(problem, u)
    rounded: list[int | None] = [None] * n
    for (i, j), var in x.items():
        if var.solution_value() > 0.999:
            rounded[j] = i
    return LpInfo(bound=bound, reduced=reduced, rounded=rounded, duals=u)
