"""Neighbourhoods aimed at the incumbent's costs: the people freed are those who could remove the cost together."""
from __future__ import annotations

import random

from conftest import roster_checker as checker
from conftest import tiny
from scheduling.common import SolverSettings
from scheduling.roster import lns
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


def test_a_stale_step_is_carried_over_to_the_new_incumbent_when_it_moved_other_people():
    # Two searches share the incumbent. One replaced it (moved B) while the other's step, from the old incumbent,
    # gave A their requested day: A's new row joins the new incumbent, as both moves concern different people.
    problem = tiny(3, staff=("A", "B", "C"), on_requests=[Request("A", 0, "D", 3), Request("B", 1, "D", 2)],
                   off_requests=[Request("C", 2, "D", 4)], covers=[Cover(2, "D", 1, 0, 1, hard_min=1)])
    old = {"A": ["", "", "D"], "B": ["", "", ""], "C": ["", "", "D"]}
    new = {"A": ["", "", "D"], "B": ["", "D", ""], "C": ["", "", "D"]}
    search = lns.Search(problem, SolverSettings(10, 2, 0), None, None, 0.0)
    search.offer(new, checker.objective(problem, new), "lns")
    step = {"A": ["D", "", "D"], "B": ["", "", ""], "C": ["", "", "D"]}
    assert search._carry_over(old, step, {"A": [0, 1, 2]})
    assert search.best == {"A": ["D", "", "D"], "B": ["", "D", ""], "C": ["", "", "D"]}
    assert search.best_objective == checker.objective(problem, search.best) < checker.objective(problem, new)
    # a step over a person the other search has moved since is not carried over
    search.best, search.best_objective = new, checker.objective(problem, new)
    assert not search._carry_over(old, {"A": ["", "", "D"], "B": ["D", "", ""], "C": ["", "", "D"]}, {"B": [0, 1, 2]})
    # nor one that leaves a seat below its hard minimum once combined (A and C both left day 2), though cheaper
    search.best = {"A": ["", "", ""], "B": ["", "D", ""], "C": ["", "", "D"]}
    search.best_objective = checker.objective(problem, search.best)
    assert not search._carry_over(old, {"A": ["", "", ""], "B": ["", "", ""], "C": ["", "", ""]}, {"C": [2]})

