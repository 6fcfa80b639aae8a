"""The compiled bound and annealing moves against plain-Python recomputation on small random provinces."""
from __future__ import annotations

import random
import time

import numpy as np
import pytest
from ortools.sat.python import cp_model

from scheduling.common import SolverSettings
from scheduling.matching import anneal as annealing
from scheduling.matching.bound import dual_value, lagrangian_bound, lagrangian_prices
from scheduling.matching.demo import province_instance
from scheduling.matching.evaluate import breakdown, broken_rules
from scheduling.matching.model import COST_SCALE, UNMATCHED_PENALTY, build_model
from scheduling.matching.problem import Counsel
from scheduling.matching.solve import greedy_start


def small(seed: int, projects: int = 40, lawyers: int = 12):
    """A small random province with its arrays, candidates and plain greedy start (as an assignment array)."""
    problem = province_instance(seed=seed, projects=projects, lawyers=lawyers, firms=5)
    found, matchable, arrays, assign = greedy_start(problem)
    return problem, found, matchable, arrays, assign


def as_counsel(problem, matchable, assign) -> dict:
    """Counsel by project id from an assignment array."""
    return {problem.projects[p].id: Counsel(problem.lawyers[assign[2 * i]].id, problem.lawyers[assign[2 * i + 1]].id)
            for i, p in enumerate(matchable) if assign[2 * i] >= 0}


def cost_of(problem, matchable, assign) -> float:
    """Cost of an assignment straight from the problem (evaluate.py), without the unmatched penalty."""
    terms = breakdown(problem, as_counsel(problem, matchable, assign), 0, matchable)
    return sum(terms.values())


@pytest.mark.parametrize("seed", range(4))
def test_compiled_dual_value_equals_the_python_lagrangian(seed):
    problem, found, matchable, arrays, _ = small(seed)
    rng = np.random.default_rng(seed)
    n = len(problem.lawyers)
    lam, pi, mu = rng.uniform(0, 3, n), rng.uniform(0, 20, n), rng.uniform(0, arrays.balance, n)
    value = dual_value(arrays.cost, arrays.hours, arrays.firm, arrays.cap_hours, arrays.places.astype(float),
                       arrays.fair_hours, UNMATCHED_PENALTY, lam, pi, mu, np.zeros(n), np.zeros(n),
                       np.empty(arrays.cost.shape[0], dtype=np.int64))
    reference = lagrangian_bound(problem, found, matchable, (list(-lam), list(-pi), list(-mu)))
    assert value == pytest.approx(reference, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("seed", range(2))
def test_subgradient_bound_is_its_prices_value_and_below_the_optimum(seed):
    problem, found, matchable, arrays, _ = small(seed, projects=12, lawyers=6)
    bound, prices, _ = lagrangian_prices(arrays, target=1e4, seconds=1.0, most=200)
    assert bound == pytest.approx(lagrangian_bound(problem, found, matchable, prices), rel=1e-9, abs=1e-6)
    found.pruned = dict(found.eligible)  # CP-SAT on every eligible lawyer: the true optimum
    built = build_model(problem, matchable, found)
    solver = cp_model.CpSolver()
    SolverSettings(time_limit=20, workers=2, seed=0).apply(solver)
    assert solver.solve(built.model) == cp_model.OPTIMAL
    rounding = 1e-3 * (len(built.x) + len(built.y) + len(built.over))  # CP-SAT's costs are rounded to 1/1000
    assert bound <= solver.objective_value / COST_SCALE + rounding


@pytest.mark.parametrize("seed", range(3))
def test_move_deltas_equal_recomputed_costs_and_refused_moves_break_a_rule(seed):
    problem, _, matchable, arrays, assign = small(seed)
    walk = annealing.start_walk(arrays, assign)
    fair = arrays.fair_hours * 100
    unit = annealing.balance_per_unit(arrays)
    before = cost_of(problem, matchable, walk.assign)
    rng = random.Random(seed)
    taken = [k for k in range(len(assign)) if assign[k] >= 0]
    checked = {"shift": 0, "chain": 0, "refused": 0}
    for _ in range(400):
        k, j = rng.choice(taken), rng.choice(taken)
        b, c = rng.randrange(len(problem.lawyers)), rng.choice([walk.assign[k], rng.randrange(len(problem.lawyers))])
        moved = walk.assign.copy()
        if rng.random() < 0.5:
            delta = annealing.shift_delta(arrays.cost, arrays.need, arrays.firm, arrays.cap, arrays.places, fair,
                                          unit, walk.assign, walk.units, walk.count, k, b)
            moved[k], kind = b, "shift"
        else:
            delta = annealing.chain_delta(arrays.cost, arrays.need, arrays.firm, arrays.cap, arrays.places, fair,
                                          unit, walk.assign, walk.units, walk.count, k, j, c)
            moved[k], moved[j], kind = walk.assign[j], c, "chain"
            # the chain leaves aside what a shift does: k and j of one project or one lawyer, or j staying put
            degenerate = k >> 1 == j >> 1 or walk.assign[k] == walk.assign[j] or c == walk.assign[j]
        if delta == np.inf:
            if np.array_equal(moved, walk.assign) or (kind == "chain" and degenerate):
                continue
            assert broken_rules(problem, as_counsel(problem, matchable, moved))
            checked["refused"] += 1
        else:
            assert not broken_rules(problem, as_counsel(problem, matchable, moved))
            assert before + delta == pytest.approx(cost_of(problem, matchable, moved), abs=1e-6)
            checked[kind] += 1
    assert min(checked.values()) > 0


@pytest.mark.parametrize("seed", range(2))
def test_annealing_tracks_its_cost_exactly_and_keeps_every_rule(seed):
    problem, _, matchable, arrays, assign = small(seed, projects=80, lawyers=16)
    start = cost_of(problem, matchable, assign)
    walk = annealing.anneal(arrays, annealing.start_walk(arrays, assign), time.monotonic() + 0.5, seed)
    assert walk.moves > 0
    assert not broken_rules(problem, as_counsel(problem, matchable, walk.best))
    assert walk.best_cost == pytest.approx(cost_of(problem, matchable, walk.best), abs=1e-6)
    assert walk.cost == pytest.approx(cost_of(problem, matchable, walk.assign), abs=1e-6)
    assert walk.best_cost <= start + 1e-6


def test_the_regrets_the_move_loop_keeps_equal_their_definition():
    """Each role's regret (rank of its lawyer above its best-ranked one, -1 when out) stays right as roles move."""
    _, _, _, arrays, assign = small(1, projects=60, lawyers=14)
    walk = annealing.start_walk(arrays, assign)
    opt_start, opt_law = annealing.options(arrays)
    regrets = np.empty(len(assign))
    annealing.anneal_steps(arrays.cost, arrays.cost, arrays.need, arrays.firm, arrays.cap, arrays.places,
                           arrays.fair_hours * 100, annealing.balance_per_unit(arrays), opt_start, opt_law,
                           walk.assign, walk.units, walk.count, walk.held, walk.slot, walk.best, walk.cost,
                           walk.best_cost, 5_000, 2.0, 0.05, annealing.BIAS, annealing.DRAWS, 1, regrets)
    for k, lawyer in enumerate(walk.assign):
        best_ranked = arrays.cost[k][np.isfinite(arrays.cost[k])].min()
        expected = -1.0 if lawyer < 0 else arrays.cost[k, lawyer] - best_ranked
        assert regrets[k] == pytest.approx(expected, abs=1e-9)
