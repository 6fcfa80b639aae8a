"""The compiled tabu search: its choice of move against the pure-Python reference on small random cases, its
bookkeeping (loads, member lists, cost, excess) after many iterations, and its best answer checked independently."""
from __future__ import annotations

import random

import numpy as np
import pytest

from scheduling.matching.gap import GapProblem, gap_cost
from scheduling.matching.gap_local import (BEST_COST, COST, EXCESS, IT, TabuSearch, best_move, best_move_reference,
                                           penalised_reference, shift_delta, swap_delta)


def random_problem(seed: int, m: int, n: int, tight: float = 0.8) -> GapProblem:
    rng = random.Random(seed)
    weights = tuple(tuple(rng.randint(1, 20) for _ in range(n)) for _ in range(m))
    costs = tuple(tuple(rng.randint(1, 40) for _ in range(n)) for _ in range(m))
    capacities = tuple(int(tight * sum(row) / m) + 1 for row in weights)
    return GapProblem(costs=costs, weights=weights, capacities=capacities, name=f"r{seed}")


def random_state(problem: GapProblem, seed: int, width: int) -> TabuSearch:
    """A search at a random (often overloaded) assignment with random weights and tabu marks."""
    rng = random.Random(seed)
    m, n = problem.agents, problem.jobs
    reduced = [[float(rng.randint(0, 9)) for _ in range(n)] for _ in range(m)]
    start = [rng.randrange(m) for _ in range(n)]
    search = TabuSearch(problem, reduced, [-rng.random() for _ in range(m)], start, width=width)
    search.alpha[:] = [rng.uniform(0.1, 5.0) for _ in range(m)]
    search.tabu[:] = [[rng.choice((0, 0, 3, 9)) for _ in range(n)] for _ in range(m)]
    search.counters[IT] = 5
    search.counters[BEST_COST] = gap_cost(problem, start) + rng.randint(-20, 20)
    return search


@pytest.mark.parametrize("seed", range(12))
def test_compiled_move_matches_the_reference(seed):
    m, n = 2 + seed % 4, 6 + seed
    problem = random_problem(seed, m, n)
    search = random_state(problem, seed, width=2 + seed % 3)
    kind, first, second, value = best_move(
        search.costs, search.weights, search.caps, search.cand, search.rank, search.assign, search.loads,
        search.alpha, search.tabu, search.members, search.count, search.counters, 0, n)
    least, moves = best_move_reference(problem, search.cand.tolist(), search.assign.tolist(), search.alpha.tolist(),
                                       search.tabu.tolist(), int(search.counters[IT]),
                                       int(search.counters[BEST_COST]))
    if not moves:
        assert kind == 0
        return
    assert value == pytest.approx(least, abs=1e-9)
    assert (("shift", "swap")[kind - 1], int(first), int(second)) in moves


@pytest.mark.parametrize("seed", range(4))
def test_every_compiled_move_value_matches_a_recomputation(seed):
    problem = random_problem(seed, 3 + seed, 9)
    search = random_state(problem, seed, width=3)
    arrays = (search.costs, search.weights, search.caps, search.loads, search.alpha, search.assign)
    assign, alpha = search.assign.tolist(), search.alpha.tolist()
    here = penalised_reference(problem, alpha, assign)
    for j1 in range(problem.jobs):
        for k in range(problem.agents):
            if k == assign[j1]:
                continue  # the search only moves a job to another agent
            moved = [k if j == j1 else i for j, i in enumerate(assign)]
            after = penalised_reference(problem, alpha, moved)
            assert shift_delta(*arrays, j1, k) == pytest.approx(tuple(a - b for a, b in zip(after, here)))
        for j2 in range(problem.jobs):
            if assign[j2] == assign[j1]:
                continue  # only jobs of two different agents swap
            swapped = list(assign)
            swapped[j1], swapped[j2] = assign[j2], assign[j1]
            after = penalised_reference(problem, alpha, swapped)
            assert swap_delta(*arrays, j1, j2) == pytest.approx(tuple(a - b for a, b in zip(after, here)))


@pytest.mark.parametrize("seed", range(4))
def test_bookkeeping_stays_exact_and_the_best_is_feasible(seed):
    problem = random_problem(seed, 4, 30, tight=0.9)
    search = random_state(problem, seed, width=3)
    search.counters[BEST_COST] = np.iinfo(np.int64).max
    search.run(500)
    assign = search.assign.tolist()
    loads = [sum(problem.weights[i][j] for j, a in enumerate(assign) if a == i) for i in range(problem.agents)]
    assert search.loads.tolist() == loads
    assert search.counters[COST] == gap_cost(problem, assign)
    assert search.counters[EXCESS] == sum(max(0, x - b) for x, b in zip(loads, problem.capacities))
    for i in range(problem.agents):
        assert sorted(search.members[i, :search.count[i]].tolist()) == [j for j, a in enumerate(assign) if a == i]
    if search.best_cost < np.iinfo(np.int64).max:
        best = search.best.tolist()
        assert search.best_cost == gap_cost(problem, best)
        assert all(sum(problem.weights[i][j] for j, a in enumerate(best) if a == i) <= problem.capacities[i]
                   for i in range(problem.agents))


def test_finds_the_brute_force_optimum_of_a_tiny_problem(checker):
    import itertools

    problem = random_problem(3, 3, 8)
    optimum = min(cost for x in itertools.product(range(3), repeat=8)
                  for feasible, cost in [checker.check_gap(problem.costs, problem.weights, problem.capacities, x)]
                  if feasible)
    start = [max(range(3), key=lambda i: problem.capacities[i])] * 8  # overloaded: the search must repair it
    search = TabuSearch(problem, [list(map(float, row)) for row in problem.costs], [0.0] * 3, start)
    search.run(3000)
    feasible, cost = checker.check_gap(problem.costs, problem.weights, problem.capacities, search.best.tolist())
    assert feasible and cost == search.best_cost == optimum
