"""One tiny instance per rule: the objective tempts the solver to break the rule; the roster must not."""
from __future__ import annotations

import datetime as dt

from scheduling.roster.problem import Cover, Fairness, Pin, Request, ShiftType, Staff


def on(staff, days, shift="D", weight=10):
    """Shift-on requests for each day."""
    return [Request(staff, d, shift, weight) for d in days]


def off(staff, days, shift="D", weight=10):
    """Shift-off requests for each day."""
    return [Request(staff, d, shift, weight) for d in days]


# Hard rules

def test_fixed_day_off_is_kept(make, solved):
    problem = make(4, [Staff("A", days_off=frozenset({1}))], on_requests=on("A", range(4)))
    result = solved(problem)
    assert result.roster["A"][1] == ""
    assert result.objective == 10


def test_pinned_duty_and_pinned_day_off_hold(make, solved):
    problem = make(3, ["A"], pins=[Pin("A", 0, "D"), Pin("A", 2, "")], off_requests=off("A", [0]),
                   on_requests=on("A", [2]))
    result = solved(problem)
    assert result.roster["A"][0] == "D" and result.roster["A"][2] == ""


def test_max_shifts_per_type(make, solved):
    problem = make(4, [Staff("A", max_shifts={"D": 1})], on_requests=on("A", range(4)))
    result = solved(problem)
    assert result.roster["A"].count("D") == 1


def test_minimum_total_minutes(make, solved):
    problem = make(4, [Staff("A", min_minutes=960)], off_requests=off("A", range(4), weight=1))
    result = solved(problem)
    assert result.roster["A"].count("D") == 2


def test_maximum_total_minutes(make, solved):
    problem = make(4, [Staff("A", max_minutes=480)], on_requests=on("A", range(4)))
    assert solved(problem).roster["A"].count("D") == 1


def test_max_consecutive_days(make, solved, checker):
    problem = make(6, [Staff("A", max_consecutive=2)], on_requests=on("A", range(6)))
    result = solved(problem)
    assert max(length for _, length, worked in checker.runs([bool(s) for s in result.roster["A"]]) if worked) <= 2


def test_min_consecutive_days_inside_the_period(make, solved):
    # a lone working day in the middle is not allowed, so the single seat pulls a neighbour in
    problem = make(5, [Staff("A", min_consecutive=2)], covers=[Cover(2, "D", 1, 100, 0)],
                   off_requests=off("A", range(5), weight=1))
    row = solved(problem).roster["A"]
    assert row.count("D") == 2 and row[2] == "D"


def test_min_consecutive_days_exempt_at_the_ends(make, solved):
    problem = make(4, [Staff("A", min_consecutive=3)], on_requests=on("A", [0]),
                   off_requests=off("A", [1, 2, 3], weight=1))
    assert solved(problem).roster["A"] == ["D", "", "", ""]


def test_min_days_off(make, solved, checker):
    problem = make(5, [Staff("A", min_days_off=2, max_consecutive=1)], on_requests=on("A", [0, 2, 4]))
    result = solved(problem)
    assert checker.violations(problem, result.roster) == []
    assert result.objective == 10  # one of the three requests must go


def test_max_weekends(make, solved):
    problem = make(14, [Staff("A", max_weekends=1)], on_requests=on("A", [5, 12]))
    row = solved(problem, brute=False).roster["A"]
    assert (row[5] == "D") + (row[12] == "D") == 1


def test_weekends_follow_the_start_date(make, solved):
    # starting on a Saturday: days 0 and 1 are the first weekend
    problem = make(3, [Staff("A", max_weekends=0)], start=dt.date(2026, 11, 28), on_requests=on("A", range(3)))
    assert solved(problem).roster["A"] == ["", "", "D"]


def test_forbidden_succession(make, solved):
    shifts = [ShiftType("E", 480, name="early"), ShiftType("N", 480, not_follow=("E",), name="night")]
    problem = make(2, ["A"], shifts=shifts, on_requests=on("A", [0], "N") + on("A", [1], "E", 5))
    assert solved(problem).roster["A"] == ["N", ""]


def test_minimum_rest_between_shifts(make, solved):
    shifts = [ShiftType("E", 480, start=6 * 60, name="early"), ShiftType("N", 480, start=22 * 60, name="night")]
    problem = make(2, ["A"], shifts=shifts, min_rest_hours=11, on_requests=on("A", [0], "N") + on("A", [1], "E", 5))
    assert solved(problem).roster["A"] == ["N", ""]


def test_hard_cover_minimum(make, solved):
    problem = make(2, ["A", "B"], covers=[Cover(0, "D", 1, 0, 0, hard_min=1)],
                   off_requests=off("A", [0, 1], weight=50) + off("B", [0, 1], weight=50))
    result = solved(problem)
    assert [result.roster[s][0] for s in "AB"].count("D") == 1
    assert result.objective == 50


# Soft rules

def test_shift_on_request(make, solved):
    problem = make(3, [Staff("A", days_off=frozenset({2}))], on_requests=on("A", [1, 2], weight=3))
    result = solved(problem)
    assert result.roster["A"][1] == "D" and result.objective == 3
    assert result.penalties[0].words == "A asked to work day on Wednesday, day 2: 3"


def test_shift_off_request(make, solved):
    problem = make(3, [Staff("A", min_minutes=480)], off_requests=off("A", [0, 1], weight=2))
    result = solved(problem)
    assert result.roster["A"] == ["", "", "D"] and result.objective == 0


def test_cover_under_and_over(make, solved):
    covers = [Cover(0, "D", 2, 100, 0), Cover(1, "D", 0, 0, 5)]
    problem = make(2, ["A"], covers=covers, on_requests=on("A", [1], weight=1))
    result = solved(problem)
    assert result.roster["A"] == ["D", ""]
    assert result.objective == 101
    assert "Monday, day 0 day seat 2 short: 100" in [item.words for item in result.penalties]


def test_cover_by_language_and_area(make, solved):
    staff = [Staff("A", areas=frozenset({"labour"})), Staff("B", languages=frozenset({"Korean"}), areas=frozenset({"labour"}))]
    covers = [Cover(0, "D", 1, 100, 0, area="labour", language="Korean")]
    problem = make(1, staff, covers=covers, off_requests=off("B", [0], weight=7))
    result = solved(problem)
    assert result.roster == {"A": [""], "B": ["D"]}
    assert result.objective == 7


def test_cover_kept_for_one_city(make, solved):
    staff = [Staff("A", city="Dalian"), Staff("B", city="Shenyang")]
    covers = [Cover(0, "D", 1, 100, 0, city="Shenyang")]
    problem = make(1, staff, covers=covers, off_requests=off("B", [0], weight=7), on_requests=on("A", [0], weight=3))
    result = solved(problem)
    assert result.roster == {"A": ["D"], "B": ["D"]}
    assert result.objective == 7


def test_fair_spread_of_duties(make, solved):
    covers = [Cover(d, "D", 1, 100, 10) for d in range(4)]
    problem = make(4, ["A", "B"], covers=covers, fairness=Fairness(duties=3),
                   on_requests=on("A", range(4), weight=1))
    result = solved(problem)
    assert result.roster["A"].count("D") == result.roster["B"].count("D") == 2
    assert result.objective == 2


def test_fair_spread_of_unpopular_duties(make, solved):
    shifts = [ShiftType("D", 480, name="day"), ShiftType("N", 480, name="night", unpopular=True)]
    covers = [Cover(d, s, 1, 100, 0) for d in range(2) for s in ("D", "N")]
    problem = make(2, ["A", "B"], shifts=shifts, covers=covers, fairness=Fairness(unpopular=5),
                   on_requests=on("A", [0, 1], "D", 1))
    result = solved(problem)
    assert result.roster["A"].count("N") == result.roster["B"].count("N") == 1


def test_published_duties_cost_when_changed(make, solved):
    problem = make(3, ["A", "B"], covers=[Cover(d, "D", 1, 100, 0) for d in range(3)],
                   published={"A": ["D", "D", "D"], "B": ["", "", ""]}, change_weight=20,
                   on_requests=on("B", range(3), weight=5))
    result = solved(problem)
    assert result.roster["A"] == ["D", "D", "D"]
    assert result.objective == 15
