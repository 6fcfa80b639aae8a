"""Column generation's master LP and the bound it proves with an exact pricer: the duals price each row as HiGHS
does, an integral choice costs what the roster costs, and the bound never exceeds the optimum."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from scheduling.common import SolverSettings
from scheduling.roster import penalties
from scheduling.roster.columns import Master, generate
from scheduling.roster.problem import Cover, Fairness, Problem, Request, ShiftType, Staff
from scheduling.roster.solve import solve
from tests.scheduling.roster.conftest import roster_checker


def _problem(seed: int) -> Problem:
    """Three people, five days, two shift types, seats short and over, requests and fairness: small enough to
    price every row by enumeration and to prove the optimum."""
    import random

    rng = random.Random(seed)
    shifts = [ShiftType("D", 480, name="day"), ShiftType("N", 600, not_follow=("D",), name="night", unpopular=True)]
    staff = [Staff(f"S{i}", max_shifts={"N": rng.randint(1, 2)}, max_minutes=480 * rng.randint(3, 4),
                   max_consecutive=rng.randint(2, 4), group="g") for i in range(3)]
    covers = [Cover(d, s, rng.randint(0, 2), rng.randint(1, 9), rng.randint(0, 3)) for d in range(5) for s in "DN"]
    on = [Request(p.id, rng.randrange(5), rng.choice("DN"), rng.randint(1, 4)) for p in staff]
    off = [Request(p.id, rng.randrange(5), rng.choice("DN"), rng.randint(1, 4)) for p in staff]
    return Problem(days=5, shifts=shifts, staff=staff, covers=covers, on_requests=on, off_requests=off,
                   fairness=Fairness(duties=rng.randint(0, 2), unpopular=rng.randint(0, 2)))


def _valid_rows(problem: Problem, person: Staff) -> list[list[str]]:
    """Every row of the person the independent checker accepts (the person alone, no seats)."""
    alone = Problem(days=problem.days, shifts=problem.shifts, staff=[person], start=problem.start,
                    holidays=problem.holidays)
    choices = [""] + [shift.id for shift in problem.shifts]
    return [list(row) for row in itertools.product(choices, repeat=problem.days)
            if roster_checker.violations(alone, {person.id: list(row)}) == []]


def _enumerating_pricer(problem: Problem):
    rows = {person.id: _valid_rows(problem, person) for person in problem.staff}
    column = {shift.id: k for k, shift in enumerate(problem.shifts)}

    def price(_problem, person, prices):
        priced = [(sum(prices[d, column[s]] for d, s in enumerate(row) if s), row) for row in rows[person.id]]
        if not priced:
            return None
        cost, row = min(priced, key=lambda item: item[0])
        return row, cost

    return price


@pytest.mark.parametrize("seed", range(6))
def test_an_integral_choice_costs_what_the_roster_costs_and_the_duals_price_rows_as_highs_does(seed):
    problem = _problem(seed)
    result = solve(problem, SolverSettings(5, 1, 0))
    master = Master(problem)
    master.add_roster(result.roster)
    value = master.solve()
    assert value == pytest.approx(penalties.objective(penalties.evaluate(problem, result.roster)))
    # every pooled column's reduced cost, from the prices, equals HiGHS's own (c - A'y)
    column_duals = np.array(master.highs.getSolution().col_dual)
    first = master.highs.getNumCol() - len(master.pool)
    column = master.column_of
    for n, (i, row) in enumerate(master.pool):
        priced = sum(master.prices(i)[d, column[s]] for d, s in enumerate(row) if s)
        assert master.reduced_cost(i, priced) == pytest.approx(column_duals[first + n], abs=1e-6)


@pytest.mark.parametrize("stabilise", [{}, {"smoothing": 0.0}, {"smoothing": 0.0, "box": 1.0}, {"box": 0.5}],
                         ids=["mix", "plain", "box", "mix-and-box"])
@pytest.mark.parametrize("seed", range(6))
def test_with_an_exact_pricer_every_round_proves_a_bound_below_the_optimum(seed, stabilise):
    problem = _problem(seed)
    optimum = solve(problem, SolverSettings(10, 2, 0))
    assert optimum.status == "OPTIMAL"
    rounds = []
    result = generate(problem, _enumerating_pricer(problem), 30, exact=True, on_round=rounds.append, **stabilise)
    assert result.converged
    bounds = [step.bound for step in rounds]
    assert all(bound is not None and bound <= optimum.objective + 1e-6 for bound in bounds)
    assert bounds == sorted(bounds)  # the best bound so far
    assert result.bound == pytest.approx(result.lp, abs=1e-6)  # converged: nothing prices out
    assert result.lp <= optimum.objective + 1e-6


def test_an_inexact_pricer_proves_nothing():
    problem = _problem(0)
    result = generate(problem, _enumerating_pricer(problem), 30, exact=False, rounds=3)
    assert result.bound is None and all(step.bound is None for step in result.rounds)


@pytest.mark.parametrize("seed", range(6))
def test_at_the_lp_s_duals_the_lagrangian_is_the_lp_plus_every_negative_reduced_cost(seed):
    """Farley's identity checks the Lagrangian's own terms (right-hand sides, bounded slacks, spreads)."""
    problem = _problem(seed)
    master = Master(problem)
    master.add_roster(solve(problem, SolverSettings(5, 1, 0)).roster)
    value = master.solve()
    price = _enumerating_pricer(problem)
    least = [price(problem, person, master.prices(i))[1] for i, person in enumerate(master.staff)]
    reduced = [master.reduced_cost(i, priced) for i, priced in enumerate(least)]
    assert master.lagrangian(least) == pytest.approx(value + sum(min(0.0, r) for r in reduced), abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_the_pool_s_best_roster_is_valid_costs_what_it_says_and_lies_between_the_bound_and_the_start(seed):
    from scheduling.roster.columns import best_roster

    problem = _problem(seed)
    start = solve(problem, SolverSettings(2, 1, 0))
    result = generate(problem, _enumerating_pricer(problem), 30, exact=True, start=start.roster)
    roster = best_roster(result.master, 10, hint=start.roster)
    assert roster_checker.violations(problem, roster) == []
    cost = roster_checker.objective(problem, roster)
    assert result.bound - 1e-6 <= cost <= start.objective


@pytest.mark.parametrize("seed", range(3))
def test_pricing_in_threads_finds_what_pricing_one_by_one_finds(seed):
    from scheduling.roster.labelling import cheapest_row

    problem = _problem(seed)
    alone = generate(problem, cheapest_row, 600, exact=True, smoothing=0.0)  # 600: a cold cache compiles
    threaded = generate(problem, cheapest_row, 600, exact=True, smoothing=0.0, workers=2)
    assert threaded.converged and alone.converged
    assert threaded.master.pool == alone.master.pool
    assert [step.bound for step in threaded.rounds] == [step.bound for step in alone.rounds]


@pytest.mark.parametrize("seed", range(3))
def test_the_pool_s_best_roster_keeps_a_fixed_person_to_the_row_fixed(seed):
    from scheduling.roster.columns import best_roster

    problem = _problem(seed)
    result = generate(problem, _enumerating_pricer(problem), 30, exact=True)
    person, row = result.master.pool[-1]  # the last row priced, not necessarily the pool's best for its person
    roster = best_roster(result.master, 10, fixed={person: len(result.master.pool) - 1})
    assert roster[problem.staff[person].id] == list(row)
    assert roster_checker.violations(problem, roster) == []
