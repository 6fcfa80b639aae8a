"""Exchange moves: rows checked as the independent checker does, moves priced exactly as the checker's objective
changes, and the moves the one-person re-planning cannot make."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from conftest import roster_checker as checker
from conftest import random_problem, tiny
from scheduling.roster.construct import construct, fair_caps
from scheduling.roster.exchange import Ledger, improve, request_moves, row_ok
from scheduling.roster.problem import Cover, Fairness, Pin, Problem, Request, ShiftType, Staff

SHIFTS = [ShiftType("M", 240, 8 * 60, name="morning"), ShiftType("E", 300, 17 * 60, name="evening"),
          ShiftType("N", 600, 22 * 60, name="night", unpopular=True)]


def random_case(seed: int, people: int = 7, days: int = 10) -> Problem:
    """Every rule the ledger prices or a row must keep, drawn small: seats by area and language with hard
    minimums, requests, fairness groups, pins, a published roster to change, rest between shifts, weekends."""
    rng = random.Random(seed)
    staff = [Staff(f"S{i}", areas=frozenset(rng.sample("ab", rng.randint(0, 2))),
                   languages=frozenset(rng.sample(["ko", "en"], rng.randint(0, 1))),
                   max_shifts={"N": rng.randint(1, 3)}, min_minutes=rng.choice([0, 240, 600]),
                   max_minutes=rng.choice([None, 1800, 2400]), min_consecutive=rng.randint(1, 2),
                   max_consecutive=rng.choice([None, 2, 3]), min_days_off=rng.randint(1, 2),
                   max_weekends=rng.choice([None, 0, 1]), days_off=frozenset(rng.sample(range(days), 1)),
                   group=rng.choice("gh" if i else "g"))
             for i in range(people)]
    covers = [Cover(d, s, rng.randint(0, 3), rng.randint(0, 100), rng.randint(0, 5),
                    area=rng.choice([None, None, "a", "b"]), language=rng.choice([None, None, "ko"]),
                    hard_min=rng.choice([None, None, 1]))
              for d in range(days) for s in "MEN" if rng.random() < 0.7]
    on = [Request(p.id, rng.randrange(days), rng.choice("MEN"), rng.randint(1, 3)) for p in staff for _ in range(2)]
    off = [Request(p.id, rng.randrange(days), rng.choice("MEN"), rng.randint(1, 3)) for p in staff for _ in range(2)]
    published = {p.id: [rng.choice(["", "", "M", "E"]) for _ in range(days)] for p in staff}
    pins = [Pin(staff[0].id, 1, "M"), Pin(staff[1].id, 2, "")]
    return Problem(days=days, shifts=SHIFTS, staff=staff, covers=covers, on_requests=on, off_requests=off,
                   start=dt.date(2027, 1, 1), holidays=frozenset({0}), min_rest_hours=11,
                   fairness=Fairness(duties=rng.randint(0, 2), unpopular=rng.randint(0, 2)), pins=pins,
                   published=published if rng.random() < 0.5 else None, change_weight=rng.randint(0, 2))


def random_roster(problem: Problem, rng: random.Random) -> dict[str, list[str]]:
    """Rows of random duties, some sparse (mostly valid) and some dense (mostly not)."""
    roster = {}
    for person in problem.staff:
        busy = rng.choice([0.15, 0.3, 0.6])
        roster[person.id] = [rng.choice("MEN") if rng.random() < busy else "" for _ in range(problem.days)]
    return roster


def own_violations(problem: Problem, roster, person: str) -> list[str]:
    """The checker's broken rules that concern this person's row alone."""
    return [v for v in checker.violations(problem, roster) if v.startswith(f"{person}:")]


@pytest.mark.parametrize("seed", range(12))
def test_row_ok_is_the_checker_on_one_row(seed):
    problem = random_case(seed)
    rng = random.Random(seed)
    ledger = Ledger(problem, random_roster(problem, rng))
    agreed = {True: 0, False: 0}
    for _ in range(150):
        roster = random_roster(problem, rng)
        for person in problem.staff:
            ok = row_ok(problem, person, roster[person.id], ledger.successions, ledger.weekend_of)
            # pins are a move's concern (delta refuses to change a pinned cell), not a row's
            broken = [v for v in own_violations(problem, roster, person.id) if "pin" not in v]
            assert ok == (not broken), (person, roster[person.id], broken)
            agreed[ok] += 1
    assert agreed[True] > 20 and agreed[False] > 20  # both answers were exercised


@pytest.mark.parametrize("seed", range(12))
def test_delta_is_the_change_of_the_checkers_objective(seed):
    problem = random_case(seed)
    rng = random.Random(100 + seed)
    roster = random_roster(problem, rng)
    ledger = Ledger(problem, roster)
    priced = refused = 0
    pinned = {(p.staff, p.day) for p in problem.pins}
    for _ in range(400):
        people = rng.sample([s.id for s in problem.staff], 2)
        move, seen = [], set()
        for _ in range(rng.randint(1, 4)):
            cell = (rng.choice(people), rng.randrange(problem.days))
            if cell not in seen:
                seen.add(cell)
                move.append((*cell, rng.choice(["", "M", "E", "N"])))
        after = {s: list(row) for s, row in ledger.roster.items()}
        for person, day, shift in move:
            after[person][day] = shift
        change = ledger.delta(move)
        if change is None:
            changed = {person for person, day, shift in move if ledger.roster[person][day] != shift}
            below = [c for c in problem.covers if c.hard_min and
                     sum(after[s][c.day] == c.shift for s in problem.qualified(c)) < c.hard_min <=
                     sum(ledger.roster[s][c.day] == c.shift for s in problem.qualified(c))
                     or c.hard_min and sum(after[s][c.day] == c.shift for s in problem.qualified(c)) <
                     sum(ledger.roster[s][c.day] == c.shift for s in problem.qualified(c)) < c.hard_min]
            assert (any(own_violations(problem, after, s) for s in changed) or below
                    or any((p, d) in pinned for p, d, s in move if ledger.roster[p][d] != s))
            refused += 1
            continue
        assert change == checker.objective(problem, after) - checker.objective(problem, ledger.roster)
        priced += 1
        if rng.random() < 0.5:  # walk on, so the ledger's kept counts are tested after many moves
            ledger.apply(move)
            assert ledger.roster == after
    assert priced > 30 and refused > 30


def test_a_request_is_met_by_an_exchange_of_duties():
    # A asked for the morning of day 1, which B works; the one seat is full, and A must work 2 mornings. Re-planning
    # A alone puts two people on day 1 (over cover); the exchange gives A day 1 and B one of A's days.
    staff = [Staff("A", min_minutes=480), Staff("B", min_minutes=480)]
    problem = tiny(4, staff=staff, shifts=SHIFTS[:1], covers=[Cover(d, "M", 1, 100, 10) for d in range(4)],
                   on_requests=[Request("A", 1, "M", 3)])
    roster = {"A": ["M", "", "", "M"], "B": ["", "M", "M", ""]}
    better, gained = improve(problem, roster, float("inf"), random.Random(0))
    assert better["A"][1] == "M" and better["B"][1] == ""
    assert all(better["A"][d] != better["B"][d] for d in range(4))  # every seat still has its one person
    assert gained == 3 == checker.objective(problem, roster) - checker.objective(problem, better)


def test_a_request_no_two_people_can_meet_is_met_by_a_three_person_cycle():
    # A (one duty exactly) asked for B's day 1. B cannot take A's day 2 (a day off) nor lose their one duty, so
    # no two-person move meets it; C takes A's day 2 and gives B day 0.
    one = {"min_minutes": 240, "max_minutes": 240}
    staff = [Staff("A", **one), Staff("B", days_off=frozenset({2}), **one), Staff("C", **one)]
    problem = tiny(3, staff=staff, shifts=SHIFTS[:1], covers=[Cover(d, "M", 1, 100, 10) for d in range(3)],
                   on_requests=[Request("A", 1, "M", 2)])
    roster = {"A": ["", "", "M"], "B": ["", "M", ""], "C": ["M", "", ""]}
    ledger = Ledger(problem, roster)
    assert all(ledger.delta(move, 0) is None for move in request_moves(ledger, "A", 1, "M"))
    better, gained = improve(problem, roster, float("inf"), random.Random(0))
    assert better == {"A": ["", "M", ""], "B": ["M", "", ""], "C": ["", "", "M"]}
    assert gained == 2


def test_a_spread_narrows_through_moves_that_cost_nothing_until_its_last_outlier_moves():
    # Group g: A and B work 2 days, C and D one. Neither A's nor B's duty alone narrows the spread, so the first
    # move to E (alone in h, whom fairness does not compare) costs nothing but leaves one outlier; the second gains.
    staff = [Staff(n, group="g") for n in "ABCD"] + [Staff("E", group="h")]
    problem = tiny(4, staff=staff, shifts=SHIFTS[:1], fairness=Fairness(duties=1),
                   covers=[Cover(d, "M", 2, 100, 10) for d in range(4)])
    roster = {"A": ["M", "M", "", ""], "B": ["", "", "M", "M"], "C": ["M", "", "", ""], "D": ["", "M", "", ""],
              "E": ["", "", "M", "M"]}
    assert checker.objective(problem, roster) == 1
    roster["E"] = ["", "", "", ""]  # E's days were taken by B: now each of B's days has one person of two
    better, gained = improve(problem, dict(roster), float("inf"), random.Random(0))
    assert checker.violations(problem, better) == []
    assert checker.objective(problem, better) == checker.objective(problem, roster) - gained < checker.objective(
        problem, roster)
    assert len({sum(1 for s in better[m] if s) for m in "ABCD"}) == 1  # the group's spread is closed


@pytest.mark.parametrize("seed", range(3))
def test_improve_keeps_the_roster_valid_and_says_what_it_gained(seed):
    # the tests' Curtois-like random problem, its staff in two fairness groups
    problem = random_problem(seed, staff=12, days=28)
    problem = dataclasses.replace(problem, fairness=Fairness(duties=1, unpopular=0),
                                  staff=[dataclasses.replace(s, group="gh"[i % 2]) for i, s in enumerate(problem.staff)])
    start = construct(problem, 2.0, seed)
    assert start is not None
    better, gained = improve(problem, start, float("inf"), random.Random(seed))
    assert checker.violations(problem, better) == []
    assert gained > 0
    assert checker.objective(problem, better) == checker.objective(problem, start) - gained


def test_fair_caps_cap_working_time_near_the_seats_minutes_per_person():
    # 4 mornings of 2 seats (8 x 240 minutes) for 4 people: 480 minutes each, 600 with the slack; nobody is capped
    # below their own minimum, nor above their maximum
    staff = [Staff("A"), Staff("B", min_minutes=720), Staff("C", max_minutes=500), Staff("D", max_minutes=5000)]
    problem = tiny(4, staff=staff, shifts=SHIFTS[:1], covers=[Cover(d, "M", 2, 100, 1) for d in range(4)]
                   + [Cover(d, "M", 1, 50, 0, area="a") for d in range(4)])  # a subset of the same seats
    caps = fair_caps(problem, slack=1.25)
    assert {s: c.max_minutes for s, c in caps.items()} == {"A": 600, "B": 720, "D": 600}
