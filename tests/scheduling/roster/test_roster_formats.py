"""Curtois and JSON readers: good files parse, bad files name the file and line."""
from __future__ import annotations

import datetime as dt

import pytest

from scheduling.cli import InputError
from scheduling.roster.curtois import parse_curtois, read_curtois
from scheduling.roster.jsonio import parse_json, problem_to_json
from scheduling.roster.problem import Cover, Fairness, Pin, Request, ShiftType, Staff



def test_curtois_small_text(small_text):
    problem = parse_curtois(small_text, "small.txt")
    assert problem.days == 7
    assert [s.id for s in problem.shifts] == ["E", "L"]
    assert problem.shift("L").not_follow == ("E",) and problem.shift("L").minutes == 600
    a = problem.staff_index["A"]
    assert a.max_shifts == {"E": 7, "L": 0} and a.max_minutes == 2880 and a.min_minutes == 960
    assert (a.max_consecutive, a.min_consecutive, a.min_days_off, a.max_weekends) == (3, 2, 2, 1)
    assert a.days_off == frozenset({0, 6})
    assert problem.on_requests == [Request("B", 2, "L", 3)]
    assert problem.off_requests == [Request("A", 3, "E", 2)]
    assert problem.covers == [Cover(0, "E", 1, 100, 1)]


@pytest.mark.parametrize("old, new, line, words", [
    ("A,E=7|L=0,2880", "A,E=7|X=0,2880", 10, "unknown shift 'X'"),
    ("A,0,6", "Z,0,6", 14, "unknown staff 'Z'"),
    ("B,2,L,3", "B,9,L,3", 17, "day 9 out of range"),
    ("0,E,1,100,1", "0,E,one,100,1", 23, "requirement is not a whole number"),
    ("L,600,E", "L,600", 7, "needs 3 comma-separated fields"),
])
def test_curtois_errors_name_the_line(small_text, old, new, line, words):
    with pytest.raises(InputError) as error:
        parse_curtois(small_text.replace(old, new), "small.txt")
    assert error.value.line == line
    assert words in str(error.value) and str(error.value).startswith(f"small.txt:{line}: ")


def test_curtois_instance_1(curtois_dir):
    problem = read_curtois(curtois_dir / "Instance1.txt")
    assert (problem.days, len(problem.staff), len(problem.shifts)) == (14, 8, 1)
    assert problem.name == "Instance1"


def full_problem(tiny):
    """A problem that uses every field of the JSON format."""
    shifts = [ShiftType("E", 480, 6 * 60, (), "early"), ShiftType("N", 480, 22 * 60, ("E",), "night", True)]
    staff = [Staff("L1", "Li", frozenset({"labour"}), frozenset({"Korean"}), {"N": 2}, 480, 2400, 1, 4, 1, 1,
                   frozenset({3}), "Shenyang", "Shenyang"), Staff("L2")]
    return tiny(7, staff, shifts, covers=[Cover(0, "N", 1, 100, 1, "labour", "Korean", 1, "Shenyang")],
                on_requests=[Request("L1", 1, "E", 2)], off_requests=[Request("L2", 2, "N", 3)],
                start=dt.date(2026, 12, 1), holidays=frozenset({0}), pins=[Pin("L2", 4, "")], min_rest_hours=11,
                fairness=Fairness(1, 2), name="demo", published={"L1": [""] * 7, "L2": ["E"] * 7}, change_weight=9)


def test_json_round_trip(make):
    import json

    problem = full_problem(make)
    again = parse_json(json.dumps(problem_to_json(problem)), "p.json")
    assert again == problem


def test_json_defaults():
    problem = parse_json('{"days": 2, "shifts": [{"id": "D", "minutes": 60}], "staff": [{"id": "a"}]}')
    person = problem.staff[0]
    assert person.max_minutes is None and person.min_consecutive == 1 and problem.covers == []


@pytest.mark.parametrize("text, line, words", [
    ('{"days": 2,\n "shifts": [{"id": "D", "minutes": 60}],\n "staff": [{"id": "a"},\n {"id": "b", "max_consecutive": -1}]}',
     4, "'max_consecutive' must be at least 0"),
    ('{"days": 2,\n "shifts": [{"id": "D", "minutes": 60}],\n "staff": [{"id": "a"}],\n "covers": [\n'
     '  {"day": 0, "shift": "X", "requirement": 1}]}', 5, "unknown shift 'X'"),
    ('{"days": 2,\n "shifts": [{"id": "D", "minutes": 60}\n "staff": []}', 3, "not valid JSON"),
    ('{"shifts": []}', 1, "missing 'days'"),
])
def test_json_errors_name_the_line(text, line, words):
    with pytest.raises(InputError) as error:
        parse_json(text, "p.json")
    assert error.value.line == line and words in error.value.problem
