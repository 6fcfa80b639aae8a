"""The exact pricing routine: the reference DP against brute force with the independent checker on tiny cases,
the compiled labelling against the reference on random small cases, and never dearer than the Lagrangian DP."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from scheduling.roster import labelling
from scheduling.roster.labelling import cheapest_row, cheapest_row_reference
from scheduling.roster.person_dp import cheapest_schedule
from scheduling.roster.problem import Pin, Problem, ShiftType, Staff
from tests.scheduling.roster.test_person_dp import brute_force, cost


def random_case(seed: int, fewest: int, most: int, cheapest: int = -9) -> tuple[Problem, list[list[int]]]:
    """A person with random rules (every kind, each present or not) over fewest..most days, integer prices from
    `cheapest` to 9 (mostly positive prices make the minimum minutes bind)."""
    rng = random.Random(seed)
    days = rng.randint(fewest, most)
    kinds = rng.choice([2, 3])
    starts = [6 * 60, 14 * 60, 22 * 60]
    shifts = []
    for k in range(kinds):
        follow = tuple(f"S{j}" for j in range(kinds) if j != k and rng.random() < 0.25)
        shifts.append(ShiftType(f"S{k}", rng.choice([240, 480, 600]), start=starts[k], not_follow=follow))
    limits = {s.id: rng.choice([0, 1, 2, 3, days]) for s in shifts if rng.random() < 0.5}
    total = sum(s.minutes for s in shifts) // kinds * days
    low = rng.choice([0, 0, total // 4, total // 2])
    person = Staff("A", max_shifts=limits, min_minutes=low,
                   max_minutes=rng.choice([None, low + total // 4, low + total // 2]),
                   min_consecutive=rng.choice([1, 2, 3]), max_consecutive=rng.choice([None, 1, 2, 3, 5]),
                   min_days_off=rng.choice([1, 2, 3]), max_weekends=rng.choice([None, 0, 1, 2]),
                   days_off=frozenset(rng.sample(range(days), rng.randint(0, 2))))
    pins = [Pin("A", rng.randrange(days), rng.choice(["", shifts[0].id])) for _ in range(rng.randint(0, 2))]
    problem = Problem(days=days, shifts=shifts, staff=[person], pins=pins,
                      start=dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(7)),
                      min_rest_hours=rng.choice([0, 0, 11]))
    prices = [[rng.randint(cheapest, 9) for _ in shifts] for _ in range(days)]
    return problem, prices


@pytest.mark.parametrize("seed", range(120))
def test_reference_matches_brute_force_on_tiny_cases(checker, seed):
    problem, prices = random_case(seed, 3, 6)
    best = brute_force(problem, prices, checker)
    found = cheapest_row_reference(problem, problem.staff[0], prices)
    if best is None:
        assert found is None
    else:
        row, value = found
        assert checker.violations(problem, {"A": row}) == []
        assert value == cost(problem, prices, row) == best


@pytest.mark.parametrize("beam", [labelling.BEAM, 1])
def test_compiled_matches_reference_on_random_small_cases(checker, monkeypatch, beam):
    # a beam of one label per state often gives a row dearer than the optimum, so the exact pass's bounds prune
    monkeypatch.setattr(labelling, "BEAM", beam)
    outcomes = {"feasible": 0, "infeasible": 0}
    for seed in range(300):
        problem, prices = random_case(1000 + seed, 5, 14, -9 if seed < 220 else -2)
        person = problem.staff[0]
        expected = cheapest_row_reference(problem, person, prices)
        found = cheapest_row(problem, person, prices)
        if expected is None:
            assert found is None, seed
            outcomes["infeasible"] += 1
            continue
        assert found is not None, seed
        row, value = found
        assert checker.violations(problem, {"A": row}) == [], seed
        assert value == cost(problem, prices, row) == expected[1], seed
        outcomes["feasible"] += 1
    assert min(outcomes.values()) >= 40, outcomes  # both kinds of case are well represented


def test_compiled_matches_brute_force_on_tiny_cases(checker):
    for seed in range(30):
        problem, prices = random_case(5000 + seed, 6, 6)
        best = brute_force(problem, prices, checker)
        found = cheapest_row(problem, problem.staff[0], prices)
        assert (found is None) == (best is None), seed
        if found is not None:
            assert checker.violations(problem, {"A": found[0]}) == [] and found[1] == best, seed


@pytest.mark.parametrize("seed", range(40))
def test_never_dearer_than_the_lagrangian_dp(seed):
    problem, prices = random_case(9000 + seed, 14, 14)
    person = problem.staff[0]
    approximate = cheapest_schedule(problem, person, prices)
    exact = cheapest_row(problem, person, prices)
    if approximate is not None:
        assert exact is not None and exact[1] <= cost(problem, prices, approximate)


def test_runs_touching_the_ends_are_exempt(make, checker):
    problem = make(days=8, staff=[Staff("A", min_consecutive=3, min_days_off=3)])
    prices = [[5]] * 8
    prices[0], prices[7] = [-10], [-10]
    row, value = cheapest_row(problem, problem.staff[0], prices)
    assert row == ["D", "", "", "", "", "", "", "D"] and value == -20
    prices[3] = [-10]  # a single duty inside the period needs two more around it and three days off each side
    assert cheapest_row(problem, problem.staff[0], prices)[1] == -20


def test_a_weekend_counts_once_and_partial_weekends_count(make, checker):
    # a Sunday start: day 0 is a weekend on its own, days 6-7 the next one
    problem = make(days=9, start=dt.date(2027, 1, 3), staff=[Staff("A", max_weekends=1)])
    prices = [[-1]] * 9
    row, value = cheapest_row(problem, problem.staff[0], prices)
    assert checker.violations(problem, {"A": row}) == []
    assert value == -8 and row[0] == "" and row[6] == row[7] == "D"


def test_min_minutes_and_max_shifts_bind(make, checker):
    night = ShiftType("N", 600)
    problem = make(days=7, shifts=[ShiftType("D", 480), night],
                   staff=[Staff("A", min_minutes=4 * 480, max_shifts={"N": 1})])
    prices = [[3, -20]] * 7
    row, value = cheapest_row(problem, problem.staff[0], prices)
    assert row.count("N") == 1 and sum(problem.shift(s).minutes for s in row if s) >= 4 * 480
    assert value == -20 + 3 * 3  # one night (600 minutes) and three days (1440): two days would reach only 1560
