"""Neighbourhoods aimed at the incumbent's costs: the people freed are those who could remove the cost together."""
from __future__ import annotations

import random

from conftest import tiny
from scheduling.roster.neighbourhoods import Costs, free_cells, related
from scheduling.roster.penalties import evaluate
from scheduling.roster.problem import Cover, Fairness, Request, ShiftType, Staff

SHIFTS = [ShiftType("D", 480, name="day"), ShiftType("N", 480, name="night")]


def _item(problem, roster, rule):
    return next(item for item in evaluate(problem, roster) if item.rule == rule)


def test_unmet_request_frees_the_requester_and_the_people_on_that_shift():
    # A asked for the night of day 2, which B and C work (one seat, over cover): one of them must give it up.
    problem = tiny(4, staff=("A", "B", "C", "D", "E"), shifts=SHIFTS, covers=[Cover(2, "N", 1, 100, 1)],
                   on_requests=[Request("A", 2, "N", 5)])
    roster = {"A": ["D", "D", "D", ""], "B": ["", "", "N", ""], "C": ["", "", "N", ""], "D": ["N", "", "", ""],
              "E": ["", "", "D", ""]}
    people = related(problem, roster, _item(problem, roster, "shift-on request"), random.Random(0), 5)
    assert people[0] == "A" and set(people) == {"A", "B", "C"}
    assert len(related(problem, roster, _item(problem, roster, "shift-on request"), random.Random(0), 2)) == 2
    # the crowded night seat itself: the people on it
    assert set(related(problem, roster, _item(problem, roster, "seat over"), random.Random(0), 5)) == {"B", "C"}


def test_empty_seat_frees_people_off_that_day_who_may_work():
    problem = tiny(3, staff=(Staff("A"), Staff("B", days_off=frozenset({1})), Staff("C"), Staff("D")),
                   shifts=SHIFTS, covers=[Cover(1, "D", 2, 100, 1)])
    roster = {"A": ["", "D", ""], "B": ["", "", ""], "C": ["", "", ""], "D": ["N", "N", ""]}
    assert set(related(problem, roster, _item(problem, roster, "seat short"), random.Random(0), 5)) == {"C"}


def test_spread_frees_the_group_members_with_the_most_and_fewest_duties():
    staff = [Staff(name, group="g") for name in "ABCD"] + [Staff("E", group="h"), Staff("F", group="h")]
    problem = tiny(4, staff=staff, shifts=SHIFTS, fairness=Fairness(duties=1, unpopular=0))
    roster = {"A": ["D", "D", "D", ""], "B": ["D", "", "", ""], "C": ["D", "D", "", ""], "D": ["", "D", "D", "D"],
              "E": ["D", "", "", ""], "F": ["D", "", "", ""]}
    item = _item(problem, roster, "duty spread")
    assert set(related(problem, roster, item, random.Random(0), 6)) == {"A", "D", "B"}


def test_focused_steps_contain_the_cost_and_windows_its_day():
    # Drawn by cost, the only cost here (A's unmet request on day 6) is in nearly every step: its person in the
    # people steps, its day in the windows.
    problem = tiny(10, staff=[Staff(f"S{i}") for i in range(20)], shifts=SHIFTS,
                   on_requests=[Request("S3", 6, "N", 4)])
    roster = {s.id: [""] * 10 for s in problem.staff}
    costs, rng = Costs(), random.Random(1)
    staff_hits = sum("S3" in free_cells(problem, "staff", 0.1, rng, roster, costs) for _ in range(200))
    day_hits = sum(6 in next(iter(free_cells(problem, "days", 0.2, rng, roster, costs).values()))
                   for _ in range(200))
    block_hits = sum("S3" in (f := free_cells(problem, "block", 0.1, rng, roster, costs)) and 6 in f["S3"]
                     for _ in range(200))
    assert staff_hits > 140 and day_hits > 140 and block_hits > 140
    # a roster that costs nothing gives random steps of the asked size
    problem = tiny(10, staff=[Staff(f"S{i}") for i in range(20)], shifts=SHIFTS)
    assert len(free_cells(problem, "staff", 0.1, rng, roster, Costs())) == 2
