"""The solver's service: benchmark instance 1 at its optimum, progress reports, cancellation, reproducibility."""
from __future__ import annotations

import threading
import time

from ortools.sat.python import cp_model

from scheduling.common import CancelToken, SolverSettings
from scheduling.roster import lns
from scheduling.roster.curtois import read_curtois
from scheduling.roster.model import build_model
from scheduling.roster.solve import extract, solve, solve_model


def test_curtois_instance_1_optimal(curtois_dir, checker):
    problem = read_curtois(curtois_dir / "Instance1.txt")
    result = solve(problem, SolverSettings(10, 2, 0))
    assert result.status == "OPTIMAL" and result.objective == 607 and result.stats.bound == 607
    assert checker.violations(problem, result.roster) == []
    assert checker.objective(problem, result.roster) == 607
    rules = result.to_json()["penalties"]["by_rule"]
    assert rules["seat short"]["words"] == "6 empty seats: 600"


def test_build_solve_extract_separately(medium, checker):
    problem = medium(seed=2, staff=8, days=14)
    rm = build_model(problem)
    assert len(rm.x) == 8 * (14 - 1) * 2  # a variable per shift type and day, none on each person's day off
    assert len(build_model(problem, explain=True).x) == 8 * 14 * 2  # explain mode keeps them to name conflicts
    outcome = solve_model(rm, SolverSettings(2, 2, 0), time_limit=2)
    assert outcome.roster is not None
    assert checker.violations(problem, outcome.roster) == []
    assert outcome.objective == checker.objective(problem, outcome.roster)
    solver = cp_model.CpSolver()
    SolverSettings(2, 2, 0).apply(solver)
    assert solver.solve(rm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    roster = extract(rm, solver)
    assert checker.objective(problem, roster) == solver.objective_value


def test_progress_reports_improve(medium, checker):
    problem = medium(seed=3)
    seen = []
    result = solve(problem, SolverSettings(4, 2, 0), on_progress=seen.append)
    assert seen, "no progress reported"
    objectives = [p.objective for p in seen]
    assert objectives == sorted(objectives, reverse=True)
    assert all(p.bound <= p.objective for p in seen)
    assert [p.seconds for p in seen] == sorted(p.seconds for p in seen)
    assert objectives[-1] == result.objective == checker.objective(problem, result.roster)
    assert checker.violations(problem, result.roster) == []


def test_cancel_stops_a_long_solve(medium, checker):
    problem = medium(seed=4, staff=16)
    token = CancelToken()
    first = threading.Event()
    found = {}

    def run():
        found["result"] = solve(problem, SolverSettings(60, 2, 0), on_progress=lambda p: first.set(), cancel=token)

    thread = threading.Thread(target=run)
    started = time.monotonic()
    thread.start()
    assert first.wait(30)
    token.cancel()
    thread.join(20)
    assert not thread.is_alive()
    assert time.monotonic() - started < 30
    result = found["result"]
    assert result.status == "FEASIBLE" and result.roster is not None
    assert checker.violations(problem, result.roster) == []
    assert result.objective == checker.objective(problem, result.roster)


def test_same_seed_same_roster(make, checker):
    from scheduling.roster.problem import Cover, Request, Staff

    staff = [Staff(s, max_consecutive=3, min_days_off=1) for s in "ABCD"]
    covers = [Cover(d, "D", 2, 10, 1) for d in range(7)]
    problem = make(7, staff, covers=covers, on_requests=[Request("A", 0, "D", 2), Request("C", 3, "D", 1)])
    first = solve(problem, SolverSettings(10, 1, 7))
    second = solve(problem, SolverSettings(10, 1, 7))
    assert first.status == second.status == "OPTIMAL"
    assert first.roster == second.roster and first.objective == second.objective
    assert checker.violations(problem, first.roster) == []
    assert first.objective == checker.objective(problem, first.roster)


def test_time_limit_is_respected(medium, checker):
    problem = medium(seed=5, staff=14)
    started = time.monotonic()
    result = solve(problem, SolverSettings(3, 2, 0))
    assert time.monotonic() - started < 6
    assert result.status in ("FEASIBLE", "OPTIMAL")
    assert checker.violations(problem, result.roster) == []
    assert result.objective == checker.objective(problem, result.roster)
    assert result.stats.extra["lns_iterations"] > 0


def test_full_solve_gives_way_to_a_second_neighbourhood_search(medium, checker, monkeypatch):
    # On large periods the full model's bound stays useless; its thread then runs a second neighbourhood search.
    # Forced here at once (any bound counts as useless), the two searches share one valid incumbent.
    monkeypatch.setattr(lns, "SWITCH_AFTER", 0.0)
    monkeypatch.setattr(lns, "SWITCH_BOUND", float("inf"))
    problem = medium(seed=5, staff=14)
    steps = []
    build = lns.build_model

    def counted(*args, **kwargs):
        steps.append(threading.current_thread().name)
        return build(*args, **kwargs)

    monkeypatch.setattr(lns, "build_model", counted)
    result = solve(problem, SolverSettings(3, 2, 0))
    assert result.stats.extra["full_solve_switched_at"] is not None
    assert {"MainThread", "roster full solve"} <= set(steps)  # both threads searched neighbourhoods
    assert checker.violations(problem, result.roster) == []
    assert result.objective == checker.objective(problem, result.roster)


def test_full_solve_keeps_its_thread_while_its_bound_is_useful(medium):
    search = lns.Search(medium(seed=1, staff=6, days=7), SolverSettings(5, 2, 0), None, None,
                        time.monotonic())
    search._full_solver = cp_model.CpSolver()
    search.best_objective, search.bound = 100, 50  # half the incumbent: the relaxation is working
    search._switch()
    assert search.figures["full_solve_switched_at"] is None
    search.bound = 49
    search._switch()
    assert search.figures["full_solve_switched_at"] is not None


def test_neighbourhood_sub_models_count_the_whole_roster(medium, checker):
    # A sub-model frees some cells of a roster and keeps the rest as constants. Seats that the fixed people already
    # fill (or that the free people cannot fill) get no short/over variables; the objective must still be the
    # whole roster's cost: for the incumbent kept as it is, and for the sub-model's optimum.
    problem = medium(seed=3, staff=10, days=14)
    # any roster will do: the first one found (a 2 s limit found none on a loaded machine)
    incumbent = solve_model(build_model(problem), SolverSettings(30, 1, 0), time_limit=30, soft_limit=0.0).roster
    value = checker.objective(problem, incumbent)
    ids = [p.id for p in problem.staff]
    neighbourhoods = [
        {ids[0]: list(range(14)), ids[1]: list(range(14))},  # two people, every day
        {s: [5, 6, 7] for s in ids},  # everybody, three days
        {s: list(range(3, 9)) for s in ids[2:6]},  # four people, six days
    ]
    shortcuts = 0
    for free in neighbourhoods:
        sub = build_model(problem, fixed=incumbent, free=free)
        shortcuts += sum(1 for t in sub.terms if t.rule in ("seat short", "seat over")
                         and not isinstance(t.expr, (int, cp_model.IntVar)))
        keep = sub.model.clone()
        for (staff, day, shift), var in sub.x.items():
            keep.add(keep.get_bool_var_from_proto_index(var.index) == int(incumbent[staff][day] == shift))
        solver = cp_model.CpSolver()
        SolverSettings(5, 1, 0).apply(solver)
        assert solver.solve(keep) == cp_model.OPTIMAL
        assert solver.objective_value == value
        assert solver.solve(sub.model) == cp_model.OPTIMAL
        better = extract(sub, solver)
        assert checker.violations(problem, better) == []
        assert checker.objective(problem, better) == solver.objective_value <= value
    assert shortcuts  # the neighbourhoods did exercise seats without short/over variables
