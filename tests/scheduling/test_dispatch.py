"""The dispute dispatch engine: its rules, its reasons, and its lexicographic optimum against brute force."""
from __future__ import annotations

import itertools
import random

import pytest

from scheduling.dispatch import (
    RISKS, Committee, DispatchProblem, Dispute, InvalidProblem, dispatch, distance_km,
)


def _objective(problem: DispatchProblem, assignment: dict[str, str]) -> tuple:
    """The lexicographic objective of an assignment, computed directly (smaller is better)."""
    committees = {c.id: c for c in problem.committees}
    served = {risk: 0 for risk in RISKS}
    level = distance = 0
    load = {c.id: 0 for c in problem.committees}
    for dispute in problem.disputes:
        if dispute.id in assignment:
            committee = committees[assignment[dispute.id]]
            served[dispute.risk] += 1
            level += committee.level
            distance += int(distance_km(dispute.lat, dispute.lon, committee.lat, committee.lon))
            load[committee.id] += 1
    balance = sum(k * k / committees[c].capacity for c, k in load.items() if committees[c].capacity)
    return (*(-served[r] for r in RISKS), level, distance, round(balance, 6))


def _may_take(committee: Committee, dispute: Dispute) -> bool:
    return (bool(committee.units & dispute.units) and (not committee.types or dispute.type in committee.types)
            and (committee.senior or dispute.risk not in ("red", "orange"))
            and dispute.language in committee.languages and committee.id not in dispute.excluded)


def _brute_force(problem: DispatchProblem) -> tuple:
    """The best objective over every assignment that respects the rules and the capacities."""
    options = [[None] + [c.id for c in problem.committees if _may_take(c, d)] for d in problem.disputes]
    capacity = {c.id: c.capacity for c in problem.committees}
    best = None
    for choice in itertools.product(*options):
        used: dict[str, int] = {}
        for committee in choice:
            if committee is not None:
                used[committee] = used.get(committee, 0) + 1
        if any(k > capacity[c] for c, k in used.items()):
            continue
        value = _objective(problem, {d.id: c for d, c in zip(problem.disputes, choice) if c is not None})
        best = value if best is None or value < best else best
    return best


def _random_problem(rng: random.Random) -> DispatchProblem:
    units = ["v1", "v2", "t1", "t2", "county"]
    committees = tuple(
        Committee(id=f"c{j}", level=rng.choice([0, 1, 2]), capacity=rng.randint(0, 3),
                  units=frozenset(rng.sample(units, rng.randint(1, 2))),
                  types=frozenset(rng.sample(["family", "labour", "land"], rng.randint(0, 2))),
                  languages=frozenset(rng.choice([["zh"], ["zh", "ko"]])), senior=rng.random() < 0.5,
                  lat=38.9 + rng.random(), lon=121.6 + rng.random())
        for j in range(rng.randint(1, 4)))
    disputes = tuple(
        Dispute(id=f"d{i}", risk=rng.choice(RISKS), type=rng.choice(["family", "labour", "land"]),
                units=frozenset(rng.choice([["v1", "t1", "county"], ["v2", "t1", "county"], ["t2", "county"]])),
                language=rng.choice(["zh", "zh", "ko"]), lat=38.9 + rng.random(), lon=121.6 + rng.random(),
                excluded=frozenset(["c0"]) if rng.random() < 0.2 else frozenset())
        for i in range(rng.randint(1, 6)))
    return DispatchProblem(committees=committees, disputes=disputes)


@pytest.mark.parametrize("seed", range(60))
def test_the_plan_is_the_lexicographic_optimum_of_brute_force(seed):
    problem = _random_problem(random.Random(seed))
    result = dispatch(problem)
    assert result.status == "OPTIMAL"
    committees = {c.id: c for c in problem.committees}
    disputes = {d.id: d for d in problem.disputes}
    for dispute, committee in result.assignment.items():
        assert _may_take(committees[committee], disputes[dispute])
    assert all(result.load[c.id] <= c.capacity for c in problem.committees)
    assert set(result.assignment) | set(result.unassigned) == set(disputes)
    assert not set(result.assignment) & set(result.unassigned)
    assert result.objective == _objective(problem, result.assignment) == _brute_force(problem)


def _committee(ident, level=0, units=("v1",), capacity=5, **fields):
    return Committee(id=ident, level=level, units=frozenset(units), capacity=capacity, **fields)


def _dispute(ident, risk="blue", units=("v1", "t1"), type="family", **fields):
    return Dispute(id=ident, risk=risk, type=type, units=frozenset(units), **fields)


def test_a_red_dispute_takes_the_last_place_from_a_blue_one():
    problem = DispatchProblem(committees=(_committee("senior", capacity=1, senior=True),),
                              disputes=(_dispute("blue"), _dispute("red", risk="red")))
    result = dispatch(problem)
    assert result.assignment == {"red": "senior"}
    assert result.unassigned["blue"].code == "dispatch_capacity"


def test_the_lowest_capable_level_before_distance_and_distance_before_balance():
    problem = DispatchProblem(
        committees=(_committee("village", level=0, units=("v1",), lat=40.0, lon=122.0),
                    _committee("township", level=1, units=("t1",), lat=39.0, lon=121.0),
                    _committee("near", level=0, units=("v1",), lat=39.0, lon=121.0)),
        disputes=(_dispute("d", lat=39.0, lon=121.0),))
    assert dispatch(problem).assignment == {"d": "near"}
    balanced = DispatchProblem(
        committees=(_committee("a", capacity=4), _committee("b", capacity=4)),
        disputes=tuple(_dispute(f"d{i}") for i in range(4)))
    assert sorted(dispatch(balanced).load.values()) == [2, 2]


@pytest.mark.parametrize(("dispute", "code"), [
    (_dispute("d", units=("elsewhere",)), "dispatch_no_jurisdiction"),
    (_dispute("d", type="land"), "dispatch_no_type"),
    (_dispute("d", risk="orange"), "dispatch_no_senior"),
    (_dispute("d", language="ko"), "dispatch_no_language"),
    (_dispute("d", excluded=frozenset({"only"})), "dispatch_excluded"),
])
def test_every_unassigned_dispute_carries_its_reason(dispute, code):
    committee = _committee("only", types=frozenset({"family"}))
    result = dispatch(DispatchProblem(committees=(committee,), disputes=(dispute,)))
    assert result.assignment == {}
    assert result.unassigned["d"].code == code
    full = dispatch(DispatchProblem(committees=(_committee("only", capacity=0),), disputes=(_dispute("d"),)))
    assert full.unassigned["d"].code == "dispatch_full"


@pytest.mark.parametrize(("problem", "message"), [
    (DispatchProblem(committees=(_committee("a"), _committee("a")), disputes=()), "appears twice"),
    (DispatchProblem(committees=(_committee("a", capacity=-1),), disputes=()), "capacity below zero"),
    (DispatchProblem(committees=(), disputes=(_dispute("d", risk="purple"),)), "is not one of"),
    (DispatchProblem(committees=(), disputes=(_dispute("d", units=()),)), "no org unit"),
    (DispatchProblem(committees=(), disputes=(_dispute("d", lat=95.0),)), "is not a place"),
])
def test_inconsistent_problems_are_refused(problem, message):
    with pytest.raises(InvalidProblem, match=message):
        dispatch(problem)


def test_an_empty_problem_is_an_empty_plan():
    result = dispatch(DispatchProblem(committees=(), disputes=()))
    assert (result.status, result.assignment, result.unassigned) == ("OPTIMAL", {}, {})


PROBLEM = """{
  "committees": [
    {"id": "C1", "level": 0, "units": ["v1"], "capacity": 1, "lat": 38.9, "lon": 121.6},
    {"id": "C2", "level": 2, "units": ["county"], "capacity": 5, "senior": true, "lat": 39.0, "lon": 121.7}
  ],
  "disputes": [
    {"id": "D1", "risk": "orange", "type": "family", "units": ["v1", "t1", "county"], "lat": 38.9, "lon": 121.6},
    {"id": "D2", "risk": "blue", "type": "family", "units": ["v1", "t1", "county"], "lat": 38.9, "lon": 121.6},
    {"id": "D3", "risk": "blue", "type": "family", "units": ["v9"]}
  ]
}"""


def test_the_command_line_prints_one_json_plan(tmp_path):
    """Through a real `python -m scheduling`: HiGHS's banner must not reach standard output."""
    import json
    import subprocess
    import sys

    path = tmp_path / "problem.json"
    path.write_text(PROBLEM, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scheduling", "dispatch", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "OPTIMAL"
    assert answer["assignment"] == {"D1": "C2", "D2": "C1"}
    assert answer["unassigned"]["D3"]["code"] == "dispatch_no_jurisdiction"
    assert answer["objective"] == answer["bound"] == [0, -1, 0, -1, 2, 14, 1.2]


@pytest.mark.parametrize(("text", "message"), [
    ("[]", "problem.json:1: the file must hold one JSON object"),
    ('{"committees": []}', "problem.json:1: missing 'disputes'"),
    ('{"committees": [], "disputes": [\n{"id": "D", "risk": "red", "type": "t"}]}',
     "problem.json:2: dispute 'D' lies in no org unit"),
    ('{"committees": [\n{"id": "C", "level": 0, "units": [], "capacity": -2}], "disputes": []}',
     "problem.json:2: committee 'C': 'capacity' must not be below zero"),
    ('{"committees": [\n{"id": "C", "level": 0, "units": [], "capacity": 1, "senior": "yes"}], "disputes": []}',
     "problem.json:2: committee 'C': 'senior' must be true or false"),
    ('{"committees": [], "disputes": [\n{"id": "D", "risk": "pink", "type": "t", "units": ["v"]}]}',
     "problem.json:2: dispute 'D': risk 'pink' is not one of red, orange, yellow, blue"),
    ('{"committees": [], "disputes": [\n{"id": "D", "risk": "red", "type": "t", "units": ["v"], "lat": 1e999}]}',
     "problem.json:2: dispute 'D': 'lat' is not a finite number"),
    ('{"committees": [', "problem.json:1: not valid JSON"),
])
def test_bad_input_names_the_file_and_line_and_exits_2(tmp_path, capsys, text, message):
    from scheduling.cli import main

    path = tmp_path / "problem.json"
    path.write_text(text, encoding="utf-8")
    assert main(["dispatch", str(path)]) == 2
    assert message in capsys.readouterr().err
