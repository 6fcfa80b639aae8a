"""The start's seat prices as arrays against their one-group Python form, its extra DP tries, and the search's
guess at sub-model build times."""
from __future__ import annotations

import random

import pytest

import scheduling.roster.construct as construct_module
from scheduling.roster.construct import Seats, _place, own_prices
from scheduling.roster.lns import BuildTimes
from scheduling.roster.model import relaxed_minimum_weight
from scheduling.roster.problem import Cover, Problem, Request, ShiftType, Staff


def random_problem(seed: int) -> tuple[Problem, dict[str, list[str]]]:
    """A few people with areas, languages and cities, seats (some only for some of them, some with a hard
    minimum), requests and a published roster, and random rows for everybody."""
    rng = random.Random(seed)
    days = rng.randint(2, 6)
    shifts = [ShiftType(f"S{k}", 480, start=6 * 60 + 8 * 60 * k) for k in range(rng.randint(1, 3))]
    staff = [Staff(f"P{i}", areas=frozenset(rng.sample(["family", "work"], rng.randint(0, 2))),
                   languages=frozenset(rng.sample(["en", "zh"], rng.randint(0, 2))), city=rng.choice([None, "X", "Y"]))
             for i in range(rng.randint(1, 5))]
    covers = [Cover(day, shift.id, rng.randint(0, 3), rng.randint(0, 100), rng.randint(0, 10),
                    area=rng.choice([None, None, "family", "work"]), language=rng.choice([None, None, "zh"]),
                    hard_min=rng.choice([None, None, 1, 2]), city=rng.choice([None, None, "X"]))
              for day in range(days) for shift in shifts for _ in range(rng.randint(0, 2))]
    requests = [[Request(p.id, rng.randrange(days), rng.choice(shifts).id, rng.randint(1, 3))
                 for p in staff if rng.random() < 0.5] for _ in range(2)]
    rows = {p.id: [rng.choice([""] + [s.id for s in shifts]) for _ in range(days)] for p in staff}
    published = {p.id: [rng.choice([""] + [s.id for s in shifts]) for _ in range(days)] for p in staff}
    problem = Problem(days=days, shifts=shifts, staff=staff, covers=covers, on_requests=requests[0],
                      off_requests=requests[1], published=published if rng.random() < 0.5 else None,
                      change_weight=rng.choice([0, 2]))
    return problem, rows


def seat_price(cover: Cover, filled: int) -> float:
    """One more person in one seat group (the form Seats.seat_prices replaced): an empty seat filled (and, below
    a hard minimum, the relaxed model's weight) or one more person over the requirement."""
    price = -cover.under_weight if filled < cover.requirement else cover.over_weight
    if cover.hard_min and filled < cover.hard_min:
        price -= relaxed_minimum_weight(cover)
    return price


def prices_reference(problem: Problem, seats: Seats, person: Staff, filled: list[int]) -> list[list[float]]:
    """A person's prices one seat group at a time (the loop the arrays replaced)."""
    column = {s.id: k for k, s in enumerate(problem.shifts)}
    prices = own_prices(problem, person, seats.on.get(person.id, ()), seats.off.get(person.id, ()))
    for index, cover in enumerate(problem.covers):
        if cover.qualifies(person):
            prices[cover.day][column[cover.shift]] += seat_price(cover, filled[index])
    return prices


@pytest.mark.parametrize("seed", range(60))
def test_seat_arrays_match_the_one_group_form(seed):
    problem, rows = random_problem(seed)
    seats = Seats(problem)
    placed = [p for p in problem.staff if random.Random(seed).random() < 0.7]
    for person in placed:
        seats.place(person, rows[person.id])
    if placed:  # taking a person out undoes their place
        seats.place(placed[0], rows[placed[0].id], -1)
        placed = placed[1:]
    filled = [sum(1 for p in placed if cover.qualifies(p) and rows[p.id][cover.day] == cover.shift)
              for cover in problem.covers]
    assert seats.filled.tolist() == filled
    for person in problem.staff:
        assert seats.prices(person) == prices_reference(problem, seats, person, filled)  # whole numbers: exact


def test_place_tries_other_nudges_when_the_first_tries_miss(monkeypatch):
    # a narrow minutes window can defeat the first two tries; other random nudges then find a row
    seeds = []

    def fake(problem, person, prices, effort=1, seed=0):
        seeds.append(seed)
        return ["D"] if seed == 3 else None

    monkeypatch.setattr(construct_module, "cheapest_schedule", fake)
    problem = Problem(days=1, shifts=[ShiftType("D", 480)], staff=[Staff("A")])
    assert _place(problem, problem.staff[0], [[0.0]], float("inf")) == ["D"]
    assert seeds == [0, 0, 1, 2, 3]


def test_build_times_learn_a_whole_period_part_and_a_part_per_cell():
    builds = BuildTimes(1_000_000)
    assert builds.predict(100) == pytest.approx(2.5)  # before any build: from the period's size
    builds.add(100, 1.0)  # the smallest build stands for the whole-period part
    builds.add(1000, 3.0)  # the rest of a larger one is the part per cell: 2 s / 1000 cells
    assert builds.predict(100) == pytest.approx(1.0 + 0.2)
    assert builds.predict(2000) == pytest.approx(1.0 + 4.0)
