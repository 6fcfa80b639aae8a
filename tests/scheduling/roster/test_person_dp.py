"""The person-level DP of the constructive start: every hard rule of one person's row, optimality on tiny
cases (against brute force with the independent checker), None when no row exists, and construct() using it."""
from __future__ import annotations

import itertools
import random

import pytest

import scheduling.roster.construct as construct_module
from scheduling.roster import person_dp
from scheduling.roster.construct import construct
from scheduling.roster.curtois import read_curtois
from scheduling.roster.person_dp import cheapest_schedule
from scheduling.roster.problem import Pin, Problem, ShiftType, Staff

DAY = ShiftType("D", 480, name="day")
NIGHT = ShiftType("N", 480, not_follow=("D",), name="night")


def flat(problem: Problem, price: float) -> list[list[float]]:
    """The same price for every duty."""
    return [[price] * len(problem.shifts) for _ in range(problem.days)]


def cost(problem: Problem, prices: list[list[float]], row: list[str]) -> float:
    """What a row costs under the prices."""
    index = {s.id: k for k, s in enumerate(problem.shifts)}
    return sum(prices[d][index[s]] for d, s in enumerate(row) if s)


def brute_force(problem: Problem, prices: list[list[float]], checker) -> float | None:
    """The cheapest valid row's cost over every row of the single person, or None when none is valid."""
    person = problem.staff[0].id
    best = None
    for row in itertools.product([""] + [s.id for s in problem.shifts], repeat=problem.days):
        if not checker.violations(problem, {person: list(row)}):
            value = cost(problem, prices, list(row))
            best = value if best is None or value < best else best
    return best


def placed(problem: Problem, prices: list[list[float]], checker) -> list[str]:
    """The DP's row, checked valid and as cheap as the brute-force optimum."""
    row = cheapest_schedule(problem, problem.staff[0], prices)
    assert row is not None
    assert checker.violations(problem, {problem.staff[0].id: row}) == []
    assert cost(problem, prices, row) == brute_force(problem, prices, checker)
    return row


def test_fixed_days_off(make, checker):
    problem = make(days=5, staff=[Staff("A", days_off=frozenset({1, 3}))])
    row = placed(problem, flat(problem, -10), checker)
    assert row == ["D", "", "D", "", "D"]


def test_pins(make, checker):
    problem = make(days=5, staff=["A"], pins=[Pin("A", 1, ""), Pin("A", 3, "D")])
    prices = flat(problem, -10)
    prices[3][0] = 50
    row = placed(problem, prices, checker)
    assert row[1] == "" and row[3] == "D"


def test_shift_may_not_follow(make, checker):
    problem = make(days=4, shifts=[DAY, NIGHT])
    prices = [[-1, -10], [-10, -1], [-1, -10], [-10, -1]]  # nights then days pay most, but D may not follow N
    row = placed(problem, prices, checker)
    assert all(not (a == "N" and b == "D") for a, b in zip(row, row[1:]))


def test_minimum_rest(make, checker):
    late = ShiftType("L", 480, start=14 * 60)
    early = ShiftType("E", 480, start=6 * 60)  # 8 hours after a late shift
    problem = make(days=4, shifts=[late, early], min_rest_hours=11)
    assert ("L", "E") in problem.forbidden_successions()
    prices = [[-10, -1], [-1, -10], [-10, -1], [-1, -10]]
    row = placed(problem, prices, checker)
    assert all(not (a == "L" and b == "E") for a, b in zip(row, row[1:]))


def test_max_shifts_of_a_type(make, checker):
    problem = make(days=6, shifts=[DAY, NIGHT], staff=[Staff("A", max_shifts={"N": 2, "D": 0})])
    prices = [[5, -10] for _ in range(6)]
    row = placed(problem, prices, checker)
    assert row.count("N") == 2 and "D" not in row


def test_max_minutes(make, checker):
    problem = make(days=6, staff=[Staff("A", max_minutes=3 * 480)])
    prices = [[-d - 1] for d in range(6)]
    row = placed(problem, prices, checker)
    assert row == ["", "", "", "D", "D", "D"]


def test_min_minutes(make, checker):
    problem = make(days=6, staff=[Staff("A", min_minutes=2 * 480)])
    prices = [[10 - d] for d in range(6)]
    row = placed(problem, prices, checker)
    assert row.count("D") == 2


def test_max_consecutive_days(make, checker):
    problem = make(days=7, staff=[Staff("A", max_consecutive=2)])
    row = placed(problem, flat(problem, -10), checker)
    assert "DDD" not in "".join(s or "-" for s in row)


def test_min_consecutive_days_inside_the_period(make, checker):
    problem = make(days=7, staff=[Staff("A", min_consecutive=3)])
    prices = flat(problem, 2)
    prices[3][0] = -5  # one day alone inside the period is not allowed; three days cost 4 - 5
    row = placed(problem, prices, checker)
    assert row != ["", "", "", "D", "", "", ""]


def test_runs_touching_the_ends_are_exempt(make, checker):
    problem = make(days=6, staff=[Staff("A", min_consecutive=3, min_days_off=3)])
    prices = flat(problem, 5)
    prices[0][0] = prices[5][0] = -10
    row = placed(problem, prices, checker)
    assert row == ["D", "", "", "", "", "D"]


def test_min_days_off(make, checker):
    problem = make(days=7, staff=[Staff("A", min_days_off=2)])
    prices = flat(problem, -10)
    prices[3][0] = 15  # a single day off inside the period is not allowed
    row = placed(problem, prices, checker)
    assert "D-D" not in "".join(s or "-" for s in row)


def test_max_weekends(make, checker):
    problem = make(days=14, staff=[Staff("A", max_weekends=1, max_consecutive=6)])
    row = placed(problem, flat(problem, -10), checker)
    assert sum(1 for week in (0, 1) if row[7 * week + 5] or row[7 * week + 6]) == 1


@pytest.mark.parametrize("seed", range(12))
def test_optimal_on_random_tiny_cases(make, checker, seed):
    rng = random.Random(seed)
    person = Staff("A", min_consecutive=rng.randint(1, 3), max_consecutive=rng.choice([None, 2, 3]),
                   min_days_off=rng.randint(1, 2), days_off=frozenset({rng.randrange(7)}))
    problem = make(days=7, shifts=[DAY, NIGHT], staff=[person], pins=[Pin("A", rng.randrange(7), "N")])
    prices = [[rng.randint(-9, 9) for _ in range(2)] for _ in range(7)]
    if brute_force(problem, prices, checker) is None:
        assert cheapest_schedule(problem, person, prices) is None
    else:
        placed(problem, prices, checker)


@pytest.mark.parametrize("seed", range(12))
def test_rows_with_limits_on_totals_are_valid(make, checker, seed):
    rng = random.Random(100 + seed)
    person = Staff("A", max_shifts={"N": rng.randint(0, 3)}, min_minutes=480 * rng.randint(0, 4),
                   max_minutes=480 * rng.randint(3, 6), min_consecutive=2, max_consecutive=4, min_days_off=2,
                   max_weekends=rng.choice([0, 1]))
    problem = make(days=10, shifts=[DAY, NIGHT], staff=[person])
    prices = [[rng.randint(-9, 9) for _ in range(2)] for _ in range(10)]
    row = cheapest_schedule(problem, person, prices)
    if row is not None:
        assert checker.violations(problem, {"A": row}) == []
        assert cost(problem, prices, row) >= brute_force(problem, prices, checker)


@pytest.mark.parametrize("person, pins", [
    (Staff("A", min_minutes=8 * 480), []),  # more minutes than the period holds
    (Staff("A", days_off=frozenset({2})), [Pin("A", 2, "D")]),  # pinned on a fixed day off
    (Staff("A", max_weekends=0), [Pin("A", 5, "D")]),  # pinned on a weekend with none allowed
    (Staff("A", min_days_off=3), [Pin("A", 1, "D"), Pin("A", 2, ""), Pin("A", 3, "D")]),  # one day off inside
    (Staff("A", max_consecutive=2), [Pin("A", d, "D") for d in range(3)]),
    (Staff("A", max_shifts={"D": 1}), [Pin("A", 0, "D"), Pin("A", 4, "D")]),
    (Staff("A"), [Pin("A", 1, "D"), Pin("A", 1, "")]),  # two pins on one day
])
def test_none_when_no_row_exists(make, checker, person, pins):
    problem = make(days=7, staff=[person], pins=pins)
    assert brute_force(problem, flat(problem, -1), checker) is None
    assert cheapest_schedule(problem, person, flat(problem, -1)) is None


def test_construct_places_everyone_by_dp_on_a_curtois_instance(curtois_dir, checker, monkeypatch):
    problem = read_curtois(curtois_dir / "Instance2.txt")

    def no_cp_sat(*args, **kwargs):
        raise AssertionError("the DP should place everybody here")

    monkeypatch.setattr(construct_module, "_solve_group", no_cp_sat)
    roster = construct(problem, 5.0)
    assert roster is not None
    assert checker.violations(problem, roster) == []


def test_construct_falls_back_to_cp_sat_when_the_dp_gives_up(curtois_dir, checker, monkeypatch):
    problem = read_curtois(curtois_dir / "Instance1.txt")
    monkeypatch.setattr(construct_module, "cheapest_schedule", lambda *args, **kwargs: None)
    roster = construct(problem, 5.0)
    assert roster is not None
    assert checker.violations(problem, roster) == []


def priced_value(rules, prices, lam_m, lam_t, lam_w, row) -> float:
    """What the DP minimises: prices plus the multipliers' charges (minutes, shifts of a type, weekends worked)."""
    minutes, counts, weekends = person_dp._totals(rules, row)
    duties = sum(prices[d][s] for d, s in enumerate(row) if s >= 0)
    return duties + lam_m * minutes + sum(lam_t[s] * counts[s] for s in lam_t) + lam_w * weekends


@pytest.mark.parametrize("seed", range(150))
def test_compiled_pass_matches_the_python_pass(seed):
    # random rules of every kind; random multipliers, as the rounds of a dive set them (weekends only with a limit)
    from tests.scheduling.roster.test_labelling import random_case  # it imports this module's helpers

    problem, prices = random_case(seed, 3, 12)
    rules = person_dp._rules(problem, problem.staff[0])
    if rules is None:
        return
    rng = random.Random(seed)
    local = [[float(prices[d][k]) + rng.random() for k in rules.shifts] for d in range(problem.days)]
    lam_m = rng.choice([0.0, 0.01, -0.01])
    lam_t = {s: rng.choice([0.0, 3.0]) for s in rules.type_limits}
    lam_w = rng.choice([1.0, 5.0]) if rules.max_weekends is not None else 0.0
    compiled = person_dp._dp(rules, local, lam_m, lam_t, lam_w)
    reference = person_dp._dp_reference(rules, local, lam_m, lam_t, lam_w)
    assert (compiled is None) == (reference is None)
    if compiled is not None:
        expected = priced_value(rules, local, lam_m, lam_t, lam_w, reference)
        assert priced_value(rules, local, lam_m, lam_t, lam_w, compiled) == pytest.approx(expected, abs=1e-9)
