"""When the hard rules cannot all hold, the result names the few rules that conflict, in plain words."""
from __future__ import annotations

from scheduling.common import SolverSettings
from scheduling.roster.explain import explain
from scheduling.roster.problem import Cover, Pin, Staff
from scheduling.roster.solve import solve


def test_day_off_against_pinned_duty(make):
    problem = make(5, [Staff("A", days_off=frozenset({1}), max_weekends=0, max_consecutive=3), Staff("B")],
                   pins=[Pin("A", 1, "D")])
    result = solve(problem, SolverSettings(10, 2, 0))
    assert result.status == "INFEASIBLE" and result.roster is None
    assert sorted(result.explanation) == ["A is off on Tuesday, day 1", "A is pinned to day on Tuesday, day 1"]
    assert result.to_json()["explanation"] == result.explanation


def test_pin_to_a_shift_type_the_person_may_never_work(make):
    # the solving model has no variables for a type with a limit of 0, except on pinned days
    problem = make(5, [Staff("A", max_shifts={"D": 0}), Staff("B")], pins=[Pin("A", 3, "D")])
    result = solve(problem, SolverSettings(10, 2, 0))
    assert result.status == "INFEASIBLE" and result.roster is None
    assert sorted(result.explanation) == ["A is pinned to day on Thursday, day 3", "A works at most 0 day shifts"]


def test_seats_against_personal_limits(make):
    staff = [Staff("A", max_shifts={"D": 1}), Staff("B", days_off=frozenset({2})), Staff("C", max_consecutive=2)]
    covers = [Cover(d, "D", 2, 0, 0, hard_min=2) for d in range(3)]
    found = explain(make(3, staff, covers=covers), SolverSettings(10, 1, 0))
    assert found.feasible is False
    # A can do one day; B is off on day 2; C cannot do three days running: the seats cannot all be filled
    assert set(found.rules) >= {"A works at most 1 day shifts", "B is off on Wednesday, day 2"}
    assert "C works at most 2 days in a row" in found.rules or "Monday, day 0 day needs at least 2" in found.rules
    assert all("needs at least 2" in rule or rule.startswith(("A ", "B ", "C ")) for rule in found.rules)
    assert found.text().startswith("These rules cannot all hold together: ")


def test_minimum_rules_conflict(make):
    problem = make(7, [Staff("A", min_minutes=480 * 5, max_consecutive=2, min_days_off=2)])
    found = explain(problem)
    assert sorted(found.rules) == ["A takes at least 2 days off in a row", "A works at least 2400 minutes",
                                   "A works at most 2 days in a row"]


def test_feasible_problem_has_no_conflict(make):
    assert explain(make(3, ["A"])).feasible is True


def test_each_rule_carries_a_code_and_ids_for_other_languages(make):
    """The coordinator's words are English text and also a code with ids, day numbers and counts, so an app can
    say them in its user's language; they survive a trip to a worker process."""
    import pickle

    problem = make(5, [Staff("A", days_off=frozenset({1}), max_weekends=0, max_consecutive=3), Staff("B")],
                   pins=[Pin("A", 1, "D")])
    result = solve(problem, SolverSettings(10, 2, 0))
    found = sorted((rule.code, tuple(sorted(rule.params.items()))) for rule in result.explanation)
    assert found == [("day_off", (("day", 1), ("staff", "A"))),
                     ("pinned", (("day", 1), ("shift", "D"), ("staff", "A")))]
    copy = pickle.loads(pickle.dumps(result.explanation[0]))
    assert copy == result.explanation[0] and copy.as_dict() == result.explanation[0].as_dict()
    minimum = explain(make(7, [Staff("A", min_minutes=480 * 5, max_consecutive=2, min_days_off=2)]))
    assert {(rule.code, rule.params.get("minutes", rule.params.get("count"))) for rule in minimum.rules} == {
        ("min_days_off", 2), ("min_minutes", 2400), ("max_consecutive", 2)}
