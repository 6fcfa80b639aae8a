"""GAP solver: optimal on tiny instances (brute force), known optima on OR-Library problems, infeasible, cancel."""
from __future__ import annotations

import itertools
import random

from scheduling.common import CancelToken, SolverSettings
from scheduling.matching.gap import GapProblem, read_gap
from scheduling.matching.gap_bounds import lp_relaxation
from scheduling.matching.gap_solve import solve_gap

FAST = SolverSettings(time_limit=5.0, workers=2, seed=0)


def random_problem(seed: int, m: int = 3, n: int = 7) -> GapProblem:
    rng = random.Random(seed)
    weights = tuple(tuple(rng.randint(1, 9) for _ in range(n)) for _ in range(m))
    costs = tuple(tuple(rng.randint(1, 30) for _ in range(n)) for _ in range(m))
    capacities = tuple(int(0.8 * sum(row) / m) + 3 for row in weights)
    return GapProblem(costs=costs, weights=weights, capacities=capacities, name=f"r{seed}")


def brute_force(problem: GapProblem, checker) -> int | None:
    best = None
    for assignment in itertools.product(range(problem.agents), repeat=problem.jobs):
        feasible, cost = checker.check_gap(problem.costs, problem.weights, problem.capacities, assignment)
        if feasible and (best is None or cost < best):
            best = cost
    return best


def test_tiny_instances_match_brute_force(checker):
    for seed in range(6):
        problem = random_problem(seed)
        result = solve_gap(problem, FAST)
        optimum = brute_force(problem, checker)
        if optimum is None:
            assert result.stats.status == "INFEASIBLE" and result.assignment is None
            continue
        feasible, cost = checker.check_gap(problem.costs, problem.weights, problem.capacities, result.assignment)
        assert feasible and cost == optimum == result.stats.objective
        assert result.stats.status == "OPTIMAL" and result.stats.bound == optimum


def test_lp_bound_is_below_the_optimum(checker):
    for seed in range(3):
        problem = random_problem(seed, 3, 6)
        lp = lp_relaxation(problem, 5.0)
        optimum = brute_force(problem, checker)
        if optimum is not None:
            assert lp.bound <= optimum + 1e-6


def test_infeasible_when_a_job_fits_nowhere():
    problem = GapProblem(costs=((1, 1),), weights=((1, 5),), capacities=(3,))
    result = solve_gap(problem, FAST)
    assert result.stats.status == "INFEASIBLE" and result.assignment is None


def test_infeasible_when_capacity_runs_out():
    problem = GapProblem(costs=((1, 1, 1), (1, 1, 1)), weights=((2, 2, 2), (2, 2, 2)), capacities=(3, 3))
    assert solve_gap(problem, FAST).stats.status == "INFEASIBLE"


def test_orlib_problems_reach_their_known_optimum(gap_dir, checker):
    # gap1 problem 1 (5x15, minimum 261) and gapa problem 1 (5x100, minimum 1698)
    for name, k, optimum in (("gap1.txt", 1, 261), ("gapa.txt", 1, 1698)):
        path = gap_dir / "orlib" / name
        problem = read_gap(str(path), k)
        result = solve_gap(problem, FAST)
        feasible, cost = checker.check_gap(*checker.parse_gap(path.read_text(), k), result.assignment)
        assert feasible and cost == result.stats.objective == optimum


def test_progress_and_cancel(gap_dir, checker):
    problem = read_gap(str(gap_dir / "orlib" / "gapd.txt"), 1)
    token = CancelToken()
    seen = []

    def on_progress(progress):
        seen.append(progress)
        if len(seen) >= 2:
            token.cancel()

    result = solve_gap(problem, SolverSettings(time_limit=30, workers=2), on_progress=on_progress, cancel=token)
    assert result.stats.wall_s < 20
    assert len(seen) >= 2 and seen[-1].objective == result.stats.objective
    feasible, _ = checker.check_gap(problem.costs, problem.weights, problem.capacities, result.assignment)
    assert feasible
