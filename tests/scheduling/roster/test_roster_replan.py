"""Re-planning after a change keeps every duty that did not have to move."""
from __future__ import annotations

import dataclasses

from scheduling.common import SolverSettings
from scheduling.roster.problem import Cover, Request, Staff
from scheduling.roster.replan import SeatAdded, Unavailable, apply_change, replan

PUBLISHED = {
    "A": ["D", "D", "", "", "", ""],
    "B": ["", "", "D", "D", "", ""],
    "C": ["", "", "", "", "D", "D"],
    "E": ["", "", "", "", "", ""],
}


def hotline(make):
    """One seat a day for six days; C would rather work Monday (but the published roster already stands)."""
    staff = [Staff("A"), Staff("B"), Staff("C", max_consecutive=4), Staff("E", max_shifts={"D": 1})]
    covers = [Cover(d, "D", 1, 100, 20) for d in range(6)]
    return make(6, staff, covers=covers, on_requests=[Request("C", 0, "D", 5)])


def test_lawyer_drops_out_only_their_duties_move(make, checker):
    problem = hotline(make)
    outcome = replan(problem, PUBLISHED, [Unavailable("B", 2)], SolverSettings(10, 2, 0))
    roster = outcome.result.roster
    assert checker.violations(apply_change(problem, Unavailable("B", 2)), roster) == []
    assert roster["B"] == [""] * 6
    assert all(roster[s][d] == PUBLISHED[s][d] for s in "ACE" for d in range(6) if d not in (2, 3))
    assert [roster[s][d] for s in "ACE" for d in (2, 3)].count("D") == 2  # both seats filled again
    moved = {(c.staff, c.day) for c in outcome.changes}
    assert {("B", 2), ("B", 3)} <= moved and len(moved) == 4 and {d for _, d in moved} == {2, 3}
    assert outcome.result.status == "OPTIMAL"
    assert any(c.words == "B on Wednesday, day 2: day -> off" for c in outcome.changes)


def test_replan_objective_matches_checker(make, checker):
    problem = hotline(make)
    outcome = replan(problem, PUBLISHED, [Unavailable("B", 2, 2)], SolverSettings(10, 2, 0), change_weight=30)
    roster = outcome.result.roster
    assert roster["B"][3] == "D"  # only day 2 was lost
    new = dataclasses.replace(apply_change(problem, Unavailable("B", 2, 2)), published=PUBLISHED, change_weight=30)
    assert checker.violations(new, roster) == []
    assert outcome.result.objective == checker.objective(new, roster) == 30 * 2 + 5


def test_seat_added(make):
    problem = hotline(make)
    outcome = replan(problem, PUBLISHED, [SeatAdded(5, "D", hard=True)], SolverSettings(10, 2, 0))
    assert [c.after for c in outcome.changes] == ["D"] and outcome.changes[0].day == 5


def test_frozen_past_days_stay(make):
    problem = hotline(make)
    outcome = replan(problem, PUBLISHED, [Unavailable("A", 1)], SolverSettings(10, 2, 0), frozen_before=1)
    assert outcome.result.roster["A"][0] == "D"
    assert {c.day for c in outcome.changes} == {1}
