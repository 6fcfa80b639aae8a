"""The generated duty periods of bench/roster_duty.py: deterministic per seed, accepted by the model, solvable."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from scheduling.common import SolverSettings
from scheduling.roster.construct import construct
from scheduling.roster.model import build_model
from scheduling.roster.solve import extract, set_hint, solve

_BENCH = Path(__file__).resolve().parents[3] / "bench" / "roster_duty.py"


@pytest.fixture(scope="module")
def duty_instance():
    """The generator, loaded from the bench script (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("roster_duty", _BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.duty_instance


def test_same_seed_same_problem(duty_instance):
    assert duty_instance(30, 2, 4) == duty_instance(30, 2, 4)
    assert duty_instance(30, 2, 4) != duty_instance(30, 2, 5)


def test_duty_rules_are_in_the_problem(duty_instance):
    problem = duty_instance(30, 2, 0)
    assert problem.days == 14 and len(problem.staff) == 30 and problem.start.weekday() == 0
    assert {s.id: s.minutes for s in problem.shifts} == {"D": 480, "E": 360, "N": 720, "W": 720}
    # the 12-hour night leaves too little rest for a day or evening shift the next day
    assert {("N", "D"), ("N", "E")} <= problem.forbidden_successions()
    assert any(c.area for c in problem.covers) and any(c.language for c in problem.covers)
    assert len(problem.on_requests) >= 2 * len(problem.staff) and problem.off_requests
    assert all(p.max_minutes and p.min_minutes and "N" in p.max_shifts and p.max_weekends for p in problem.staff)


def test_model_accepts_a_generated_period(duty_instance):
    problem = duty_instance(20, 2, 1)
    rm = build_model(problem)
    assert rm.x and rm.model.validate() == ""


def test_engine_roster_passes_the_checker(duty_instance, checker):
    problem = duty_instance(12, 1, 0)
    result = solve(problem, SolverSettings(3, 2, 0))
    assert result.roster is not None, result.status
    assert checker.violations(problem, result.roster) == []
    assert checker.objective(problem, result.roster) == result.objective


def test_hint_sets_every_variable_and_is_the_roster(duty_instance, checker):
    # CP-SAT makes little of a hint it has to complete (the seat slacks, weekend flags and spread high/low), so
    # set_hint derives them from the roster: every variable gets a hint, and the hint alone (all variables fixed to
    # it) is a solution costing the roster's cost, for the full model, sub-models and the start's relaxed model.
    problem = duty_instance(30, 2, 4)
    roster = construct(problem, 10.0)
    assert roster is not None
    value = checker.objective(problem, roster)
    ids = [p.id for p in problem.staff]
    models = [build_model(problem), build_model(problem, relaxed=True),
              build_model(problem, fixed=roster, free={s: list(range(14)) for s in ids[:5]}),
              build_model(problem, fixed=roster, free={s: [5, 6, 7] for s in ids}),
              build_model(problem, fixed=roster, free={s: list(range(2, 9)) for s in ids[10:20]})]
    for rm in models:
        set_hint(rm, roster)
        proto = rm.model.proto
        assert len(proto.solution_hint.vars) == len(proto.variables)
        solver = cp_model.CpSolver()
        solver.parameters.fix_variables_to_their_hinted_value = True
        SolverSettings(10, 1, 0).apply(solver)
        assert solver.solve(rm.model) == cp_model.OPTIMAL
        assert solver.objective_value == value
        assert checker.objective(problem, extract(rm, solver)) == value
