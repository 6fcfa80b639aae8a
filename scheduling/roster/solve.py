"""Solve a roster problem: build -> solve -> extract, with progress reports, cancellation and a penalty breakdown.

``solve(problem, settings)`` runs a short full CP-SAT solve (which proves small periods optimal), then
large-neighbourhood search (``lns.py``) around the best roster, then the full model again from that roster to
raise the bound. The reported objective is recomputed from the roster by ``penalties.evaluate``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduling.common import (STATUS_NAMES, CancelToken, ProgressCallback, ProgressReporter, SolverSettings,
                               SolveStats)
from scheduling.roster.model import RosterModel, build_model
from scheduling.roster.penalties import PenaltyItem, by_person, by_rule, evaluate, objective
from scheduling.roster.problem import Problem, Roster


@dataclass
class RosterResult:
    """A solve's outcome: status, objective, bound, time, the roster and why it costs what it costs."""

    stats: SolveStats
    roster: Roster | None
    penalties: list[PenaltyItem] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)  # conflicting hard rules when INFEASIBLE

    @property
    def status(self) -> str:
        """OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN or MODEL_INVALID."""
        return self.stats.status

    @property
    def objective(self) -> int | None:
        """Total penalty of the roster (None without a roster)."""
        return None if self.stats.objective is None else int(self.stats.objective)

    def to_json(self) -> dict:
        """The command line's JSON object (see DESIGN.md)."""
        return {
            "status": self.stats.status,
            "objective": self.objective,
            "bound": self.stats.bound,
            "wall_s": round(self.stats.wall_s, 3),
            "roster": self.roster,
            "penalties": {
                "by_rule": by_rule(self.penalties),
                "by_person": by_person(self.penalties),
                "items": [item.words for item in self.penalties],
            },
            "explanation": self.explanation,
        }


@dataclass
class FullSolve:
    """What one CP-SAT run of a model gave."""

    status: str
    roster: Roster | None
    objective: float | None
    bound: float | None


def solve(problem: Problem, settings: SolverSettings | None = None, on_progress: ProgressCallback | None = None,
          cancel: CancelToken | None = None, hint: Roster | None = None, lns: bool = True) -> RosterResult:
    """Best roster found within the settings' time limit, with its penalty breakdown or an explanation."""
    from scheduling.roster.lns import Search  # lns imports this module

    settings = settings or SolverSettings()
    started = time.monotonic()
    rm = build_model(problem)
    search = Search(rm, settings, on_progress, cancel, started, use_lns=lns)
    outcome = search.run(hint)
    wall = time.monotonic() - started
    if outcome.roster is None:
        explanation: list[str] = []
        if outcome.status == "INFEASIBLE":
            from scheduling.roster.explain import explain

            explanation = explain(problem, SolverSettings(max(settings.time_limit - wall, 1.0), settings.workers,
                                                          settings.seed)).rules
        return RosterResult(SolveStats(outcome.status, None, outcome.bound, time.monotonic() - started),
                            None, [], explanation)
    items = evaluate(problem, outcome.roster)
    total = objective(items)
    extra = {"model_objective": outcome.objective, **search.figures}
    bound = outcome.bound
    status = outcome.status
    if bound is not None and bound >= total - 1e-6:
        status = "OPTIMAL"
    return RosterResult(SolveStats(status, total, bound, time.monotonic() - started, extra), outcome.roster, items)


def solve_model(rm: RosterModel, settings: SolverSettings, time_limit: float, on_progress=None,
                cancel: CancelToken | None = None, hint: Roster | None = None, started: float | None = None,
                seed: int | None = None) -> FullSolve:
    """One CP-SAT run of the model (optionally from a hint), stopped by the time limit or the cancel token."""
    if hint is not None:
        set_hint(rm, hint)
    solver = cp_model.CpSolver()
    SolverSettings(time_limit, settings.workers, settings.seed if seed is None else seed, settings.log).apply(solver)
    unlisten = cancel.listen(solver.stop_search) if cancel else None
    try:
        status = solver.solve(rm.model, ProgressReporter(on_progress, 0.0, started) if on_progress else None)
    finally:
        if unlisten:
            unlisten()
        if hint is not None:
            rm.model.clear_hints()
    name = STATUS_NAMES.get(status, "UNKNOWN")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return FullSolve(name, extract(rm, solver), solver.objective_value, solver.best_objective_bound)
    bound = solver.best_objective_bound if name == "UNKNOWN" else None
    return FullSolve(name, None, None, bound)


def extract(rm: RosterModel, solver: cp_model.CpSolver) -> Roster:
    """The roster in the solver's current solution: {staff id: [shift id or ""]}."""
    p = rm.problem
    roster = p.empty_roster()
    for (staff, day, shift), var in rm.x.items():
        if solver.boolean_value(var):
            roster[staff][day] = shift
    return roster


def set_hint(rm: RosterModel, roster: Roster) -> None:
    """Give CP-SAT a complete starting roster."""
    model = rm.model
    model.clear_hints()
    off = [""] * rm.problem.days
    for (staff, day, shift), var in rm.x.items():
        model.add_hint(var, roster.get(staff, off)[day] == shift)
    for (staff, day), var in rm.work.items():
        model.add_hint(var, roster.get(staff, off)[day] != "")
