"""The knapsack Lagrangian bound and the branch-and-bound built on it, against brute force on small random cases:
the compiled bound and forced knapsack values equal enumeration, the pairs dropped never include an optimal answer's,
and the branch-and-bound ends at the optimum whatever incumbent it starts from, also when the solver's improving
rounds drive it from a poor answer."""
from __future__ import annotations

import itertools
import math
import random
import time

import numpy as np
import pytest

from scheduling.common import SolverSettings
from scheduling.matching.gap import GapProblem, gap_cost, gap_is_feasible
from scheduling.matching.gap_bounds import lp_relaxation
from scheduling.matching.gap_branch import BranchAndBound, optimum_reference
from scheduling.matching.gap_lagrange import (KnapsackBound, forced_reference, forced_values, lagrangian_reference,
                                              lagrangian_value)
from scheduling.matching.gap_solve import GapTuning, _Search


def random_problem(seed: int) -> GapProblem:
    rng = random.Random(seed)
    m, n = 2 + seed % 3, 5 + seed % 3
    weights = tuple(tuple(rng.randint(1, 20) for _ in range(n)) for _ in range(m))
    costs = tuple(tuple(rng.randint(1, 40) for _ in range(n)) for _ in range(m))
    capacities = tuple(int(0.8 * sum(row) / m) + 1 for row in weights)
    return GapProblem(costs=costs, weights=weights, capacities=capacities, name=f"r{seed}")


def random_bound(problem: GapProblem, seed: int) -> KnapsackBound:
    """A bound with random prices and a few pairs already dropped."""
    rng = random.Random(seed)
    bound = KnapsackBound(problem, [float(rng.randint(0, 40)) for _ in range(problem.jobs)])
    for _ in range(2):
        bound.allowed[rng.randrange(problem.agents), rng.randrange(problem.jobs)] = 0
    return bound


@pytest.mark.parametrize("seed", range(10))
def test_compiled_bound_and_forced_values_match_enumeration(seed):
    problem = random_problem(seed)
    kb = random_bound(problem, seed)
    m, n = problem.agents, problem.jobs
    take = np.zeros((m, n), dtype=np.int64)
    allowed, v = kb.allowed.tolist(), kb.v.tolist()
    value = lagrangian_value(kb.costs, kb.weights, kb.caps, kb.allowed, kb.v, take)
    assert value == pytest.approx(lagrangian_reference(problem, allowed, v), abs=1e-9)
    forced_in, forced_out, whole = np.zeros((m, n)), np.zeros((m, n)), np.zeros(m)
    forced_values(kb.costs, kb.weights, kb.caps, kb.allowed, kb.v, forced_in, forced_out, whole)
    for i in range(m):
        for j in range(n):
            expected = forced_reference(problem, allowed, v, i, j, True)
            assert forced_in[i, j] == (expected if expected == -math.inf else pytest.approx(expected, abs=1e-9))
            assert forced_out[i, j] == pytest.approx(forced_reference(problem, allowed, v, i, j, False), abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_fixing_keeps_the_optimum_and_the_search_ends_there(seed):
    problem = random_problem(seed)
    optimum = optimum_reference(problem)
    if optimum is None:
        return
    incumbent = optimum + random.Random(seed).randint(0, 25)  # from the optimum itself to well above it
    kb = KnapsackBound(problem, [0.0] * problem.jobs)
    bound = kb.tighten(incumbent, math.inf)
    assert bound <= optimum + 1e-6 or (bound == math.inf and incumbent == optimum)
    if bound == math.inf:
        return
    search = exhaust(problem, kb, incumbent)
    assert search.ub[0] == optimum
    if optimum < incumbent:
        assert_answer_costs(problem, search, optimum)


def exhaust(problem, kb: KnapsackBound, incumbent: int) -> BranchAndBound:
    """The branch-and-bound on the bound's pairs, run to its end (asserted)."""
    search = BranchAndBound(problem, kb.allowed, kb.v, incumbent, [0] * problem.jobs)
    search.run(100_000)
    assert search.finished
    return search


def assert_answer_costs(problem, search: BranchAndBound, cost: int) -> None:
    answer = search.best.tolist()
    assert gap_is_feasible(problem, answer) and gap_cost(problem, answer) == cost


@pytest.mark.parametrize("seed", range(12))
def test_targets_below_the_optimum_are_ruled_out_and_the_pairs_come_back_above(seed):
    # the proof raises the bound one unit a round: "nothing cheaper than t" for t up to the optimum, then the optimum
    # is found below optimum + 1 by the same bound object, whose pairs dropped against the lower targets (a short
    # ascent drops many) must come back
    problem = random_problem(seed)
    optimum = optimum_reference(problem)
    if optimum is None:
        return
    kb = KnapsackBound(problem, [0.0] * problem.jobs)
    for target in range(optimum - 6, optimum + 1):
        bound = kb.tighten(target, math.inf, iterations=3)
        if bound < math.inf:
            assert exhaust(problem, kb, target).ub[0] == target  # nothing cheaper than a target up to the optimum
    assert kb.tighten(optimum + 1, math.inf, iterations=3) <= optimum + 1e-6
    search = exhaust(problem, kb, optimum + 1)
    assert search.ub[0] == optimum
    assert_answer_costs(problem, search, optimum)


@pytest.mark.parametrize("seed", range(8))
def test_lift_bound_is_below_the_optimum_over_every_pair(seed):
    problem = random_problem(seed)
    optimum = optimum_reference(problem)
    kb = KnapsackBound(problem, [0.0] * problem.jobs)
    kb.tighten(optimum + 3 if optimum is not None else 10 ** 6, math.inf, iterations=3)  # drops pairs
    value = kb.lift(10 ** 6)
    assert (kb.allowed == kb.fitting).all()  # the pairs dropped came back
    assert value == pytest.approx(lagrangian_reference(problem, kb.allowed.tolist(), kb.v.tolist()), abs=1e-6)
    if optimum is not None:
        assert value <= optimum + 1e-6


@pytest.mark.parametrize("seed", range(10))
def test_improving_rounds_go_from_the_costliest_answer_to_the_proven_optimum(seed):
    # the improving rounds ask for answers below targets 2, 4, 8, ... above the bound: from the costliest feasible
    # answer they must end at the optimum with the bound raised to it, never past it (an unexhausted tree or an
    # answer found must not raise the bound to the target)
    problem = random_problem(seed)
    answers = [list(a) for a in itertools.product(range(problem.agents), repeat=problem.jobs)
               if gap_is_feasible(problem, list(a))]
    if not answers:
        return
    optimum = min(gap_cost(problem, a) for a in answers)
    worst = max(answers, key=lambda a: gap_cost(problem, a))
    search = _Search(problem, SolverSettings(time_limit=30.0), None, None, GapTuning())
    search.lp = lp_relaxation(problem, 5.0)
    search.bound = math.ceil(search.lp.bound - 1e-6)
    assert search.offer(worst) and search._provable()
    search._tightened()
    assert search.bound <= optimum
    search._improve(time.monotonic() + 20.0)
    assert search.best_cost == optimum and search.bound == optimum
    assert gap_is_feasible(problem, search.best) and gap_cost(problem, search.best) == optimum
