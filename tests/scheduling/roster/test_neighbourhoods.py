"""Neighbourhoods aimed at the incumbent's costs: the people freed are those who could remove the cost together."""
from __future__ import annotations

import random
import time

import pytest

from conftest import roster_checker as checker
from conftest import tiny
from scheduling.common import SolverSettings
from scheduling.roster import lns
from scheduling.roster.neighbourhoods import Costs, free_cells, has_spread, related, request_people, spread_extremes
from scheduling.roster.penalties import evaluate
from scheduling.roster.problem import Cover, Fairness, Pin, Request, ShiftType, Staff

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


def test_requests_no_roster_can_meet_are_not_aimed_at():
    # S3 asked for the night of day 6, a day off; S4 for a night of day 2 pinned off; S5 for a night, which they may
    # never work; S6 asked not to work the day shift pinned on them. Only S7's request can be met: every cost drawn
    # is it.
    staff = [Staff(f"S{i}", days_off=frozenset({6}) if i == 3 else frozenset(), max_shifts={"N": 0} if i == 5 else {})
             for i in range(8)]
    problem = tiny(10, staff=staff, shifts=SHIFTS, pins=[Pin("S4", 2, ""), Pin("S6", 1, "D")],
                   on_requests=[Request("S3", 6, "N", 9), Request("S4", 2, "N", 9), Request("S5", 4, "N", 9),
                                Request("S7", 5, "N", 1)],
                   off_requests=[Request("S6", 1, "D", 9)])
    roster = {s.id: [""] * 10 for s in problem.staff}
    roster["S6"][1] = "D"
    assert [problem.unmeetable(r) for r in problem.on_requests] == [True, True, True, False]
    assert problem.unmeetable(problem.off_requests[0], on=False)
    assert not problem.unmeetable(Request("S7", 1, "D", 1), on=False)
    costs, rng = Costs(), random.Random(0)
    assert len(evaluate(problem, roster)) == 5
    assert {(item.staff, item.day) for item in costs.of(problem, roster).items} == {("S7", 5)}
    assert {costs.draw(rng).staff for _ in range(50)} == {"S7"}


def test_a_step_over_every_spread_frees_each_groups_fewer_side_and_both_sides_of_a_wide_spread():
    # Duties: g has 3, 1, 1 (a spread of 2: both sides), h has 2, 1, 1 (its fewer side, D), i has no spread.
    staff = [Staff(n, group=g) for n, g in zip("ABCDEFGH", "ggghhhii")]
    problem = tiny(4, staff=staff, shifts=SHIFTS, fairness=Fairness(duties=1, unpopular=0))
    roster = {"A": ["D", "D", "D", ""], "B": ["D", "", "", ""], "C": ["", "N", "", ""], "D": ["D", "", "D", ""],
              "E": ["N", "", "", ""], "F": ["", "", "", "D"], "G": ["D", "", "", ""], "H": ["", "D", "", ""]}
    rng = random.Random(0)
    assert set(spread_extremes(problem, roster, rng)) == {"A", "B", "C", "D"}
    assert len(spread_extremes(problem, roster, rng, limit=2)) == 2
    free = free_cells(problem, "spreads", 0.0, rng, roster, Costs())
    assert free == {s: [0, 1, 2, 3] for s in "ABCD"}
    # a few people drawn at random join them
    assert {"A", "B", "C", "D"} < set(free_cells(problem, "spreads", 0.25, rng, roster, Costs()))
    # no spread left (or fairness not weighed): no step
    even = {s: ["D", "", "", ""] for s in "ABCDEFGH"}
    assert free_cells(problem, "spreads", 0.5, rng, even, Costs()) == {}
    assert has_spread(problem) and not has_spread(tiny(4, staff=staff, shifts=SHIFTS))


def test_a_step_over_every_request_frees_the_requesters_and_some_of_those_on_their_shifts():
    # A asked for the day shift of day 1, which B and C work; D's request is met; E asked for a day off.
    staff = [Staff(n, days_off=frozenset({2}) if n == "E" else frozenset()) for n in "ABCDEF"]
    problem = tiny(3, staff=staff, shifts=SHIFTS,
                   on_requests=[Request("A", 1, "D", 2), Request("D", 0, "N", 2), Request("E", 2, "D", 5)])
    roster = {"A": ["", "N", ""], "B": ["", "D", ""], "C": ["", "D", ""], "D": ["N", "", ""], "E": ["D", "", ""],
              "F": ["", "", "N"]}
    rng = random.Random(0)
    one = request_people(problem, roster, 0.01, rng)
    assert one[0] == "A" and len(one) == 2 and one[1] in ("B", "C")
    assert set(request_people(problem, roster, 1.0, rng)) == {"A", "B", "C"}
    assert free_cells(problem, "requests", 1.0, rng, roster, Costs()) == {s: [0, 1, 2] for s in "ABC"}
    # more requests than one step may move at once: none (the steps around one cost take them)
    assert request_people(problem, roster, 1.0, rng, limit=1) == []
    roster["A"][1] = "D"
    assert free_cells(problem, "requests", 1.0, rng, roster, Costs()) == {}


@pytest.mark.parametrize("kind", ["spreads", "requests"])
def test_steps_over_every_cost_of_a_kind_improve_a_large_period(monkeypatch, kind):
    # With the steps over every spread or every request only (the period counts as large here), the search evens
    # the duties (meets the request) from a roster that does not, and its roster is what the checker says.
    monkeypatch.setattr(lns, "WHOLE_COST_STAFF", 1)
    monkeypatch.setenv("ROSTER_KINDS", kind)
    taken = []

    def recorded(problem, kind, *rest):
        free = free_cells(problem, kind, *rest)
        taken.append(kind if free else None)
        return free

    monkeypatch.setattr(lns, "free_cells", recorded)
    staff = [Staff(f"S{i}", group="g" if i < 3 else "h") for i in range(6)]
    problem = tiny(4, staff=staff, shifts=SHIFTS, covers=[Cover(d, "D", 1, 10, 1) for d in range(4)],
                   on_requests=[Request("S4", 2, "D", 3)] if kind == "requests" else [],
                   fairness=Fairness(duties=2 if kind == "spreads" else 0, unpopular=0))
    start = {f"S{i}": [""] * 4 for i in range(6)}
    start["S0"] = ["D", "D", "D", "D"]
    search = lns.Search(problem, SolverSettings(10, 1, 0), None, None, time.monotonic())
    search.offer(start, checker.objective(problem, start), "start")
    search._neighbourhoods(time.monotonic() + 5, random.Random(0))
    assert taken[0] == kind
    assert checker.objective(problem, start) > 0 == search.best_objective
    assert checker.violations(problem, search.best) == []
    assert search.best_objective == checker.objective(problem, search.best)


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

