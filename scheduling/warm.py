"""Compile the library's numba routines once, on tiny problems, before a solve needs them.

The compiled routines (``@njit(cache=True)``) are compiled on their first call after an install and kept in numba's
cache beside their modules; later processes load them in about a second. The first compile takes 10-45 s on two busy
cores, which a user's first solve would otherwise spend before its first progress report, and which a test with a
time limit would count against that limit. So the app's job worker calls ``warm_up`` in a thread when it starts, and
the test session calls it once before its workers start. It changes no state but numba's cache.

    python -m scheduling.warm      # prints the seconds it took (cold: compiling; warm: loading)
"""
from __future__ import annotations

import datetime as dt
import math
import sys
import time



def _once():
    """A stop() that lets a loop run one round: False on its first call, True after."""
    calls = iter([False])
    return lambda: next(calls, True)


def _matching() -> None:
    """The province matching's Lagrangian ascent and annealing."""
    from scheduling.matching.anneal import anneal, start_walk
    from scheduling.matching.bound import lagrangian_prices
    from scheduling.matching.demo import province_instance
    from scheduling.matching.solve import greedy_start

    _, _, arrays, assign = greedy_start(province_instance(seed=0, projects=30, lawyers=12, firms=5))
    lagrangian_prices(arrays, 1e6, 0.0, most=1)
    anneal(arrays, start_walk(arrays, assign), math.inf, 0, stop=_once())


def _gap() -> None:
    """The GAP tabu search, knapsack bound and branch-and-bound."""
    from scheduling.matching.gap import GapProblem
    from scheduling.matching.gap_branch import BranchAndBound
    from scheduling.matching.gap_lagrange import KnapsackBound
    from scheduling.matching.gap_local import TabuSearch

    problem = GapProblem(costs=((3, 1, 4, 1), (2, 7, 1, 8)), weights=((2, 3, 1, 2), (1, 2, 2, 3)), capacities=(5, 5))
    reduced = [[float(c) for c in row] for row in problem.costs]
    TabuSearch(problem, reduced, [0.0, 0.0], [0, 0, 1, 0]).run(1)
    bound = KnapsackBound(problem, [0.0] * 4)
    bound.tighten(100, math.inf)
    BranchAndBound(problem, bound.allowed, bound.v, 100, [0, 0, 1, 0]).run(1)


def _roster() -> None:
    """The engine's person DP, and the exact per-person pricer with and without a minutes budget."""
    from scheduling.roster.labelling import cheapest_row
    from scheduling.roster.person_dp import cheapest_schedule
    from scheduling.roster.problem import Problem, ShiftType, Staff

    shifts = [ShiftType("D", 480, 8 * 60), ShiftType("N", 720, 20 * 60, unpopular=True)]
    people = [Staff("A", min_minutes=960, max_minutes=2400, max_consecutive=3, max_weekends=1, max_shifts={"N": 2}),
              Staff("B")]
    problem = Problem(days=7, shifts=shifts, staff=people, start=dt.date(2027, 1, 4), min_rest_hours=11)
    prices = [[-1.0, -2.0] for _ in range(problem.days)]
    for person in people:
        cheapest_schedule(problem, person, prices)
        cheapest_row(problem, person, prices)


def warm_up() -> float:
    """Compile (or load from the cache) every compiled routine; returns the seconds taken."""
    started = time.monotonic()
    _matching()
    _gap()
    _roster()
    return time.monotonic() - started


if __name__ == "__main__":
    print(f"compiled routines ready in {warm_up():.1f} s")
    sys.exit(0)
