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
from scheduling.roster.variables import RosterModel
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
    search = Search(problem, settings, on_progress, cancel, started, use_lns=lns)
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
    # Every penalty is at least zero, so a negative bound from the solver says no more than zero does.
    bound = None if outcome.bound is None else max(0.0, outcome.bound)
    status = outcome.status
    if bound is not None and bound >= total - 1e-6:
        status = "OPTIMAL"
    return RosterResult(SolveStats(status, total, bound, time.monotonic() - started, extra), outcome.roster, items)


class _Reporter(ProgressReporter):
    """Progress reporter that can also end the search at the first solution found after a soft deadline."""

    def __init__(self, solver: cp_model.CpSolver, on_progress, started: float | None, soft_deadline: float | None):
        super().__init__(on_progress, 0.0, started)
        self._solver = solver
        self._soft_deadline = soft_deadline

    def on_solution_callback(self) -> None:
        """Report, then stop if past the soft deadline."""
        super().on_solution_callback()
        if self._soft_deadline is not None and time.monotonic() >= self._soft_deadline:
            self._solver.stop_search()


def solve_model(rm: RosterModel, settings: SolverSettings, time_limit: float, on_progress=None,
                cancel: CancelToken | None = None, hint: Roster | None = None, started: float | None = None,
                seed: int | None = None, soft_limit: float | None = None) -> FullSolve:
    """One CP-SAT run of the model (optionally from a hint), stopped by the time limit or the cancel token;
    with a soft limit it also stops at the first solution found after that many seconds."""
    if hint is not None:
        set_hint(rm, hint)
    solver = cp_model.CpSolver()
    SolverSettings(time_limit, settings.workers, settings.seed if seed is None else seed, settings.log).apply(solver)
    soft = None if soft_limit is None else time.monotonic() + soft_limit
    reporter = _Reporter(solver, on_progress, started, soft) if on_progress or soft is not None else None
    try:
        status = run_solver(solver, rm.model, reporter, cancel)
    finally:
        if hint is not None:
            rm.model.clear_hints()
    name = STATUS_NAMES.get(status, "UNKNOWN")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return FullSolve(name, extract(rm, solver), solver.objective_value, solver.best_objective_bound)
    bound = None
    if name == "UNKNOWN" and not (cancel and cancel.cancelled):  # a skipped solve has no bound
        bound = solver.best_objective_bound
    return FullSolve(name, None, None, bound)


def run_solver(solver: cp_model.CpSolver, model: cp_model.CpModel, callback=None,
               cancel: CancelToken | None = None):
    """solver.solve(model), stopped by the cancel token (a cancel that came before the start skips the solve)."""
    if cancel is None:
        return solver.solve(model, callback)
    unlisten = cancel.listen(solver.stop_search)
    try:
        if cancel.cancelled:  # CP-SAT ignores a stop request made before the solve starts
            return cp_model.UNKNOWN
        return solver.solve(model, callback)
    finally:
        unlisten()


def extract(rm: RosterModel, solver: cp_model.CpSolver) -> Roster:
    """The roster in the solver's current solution: {staff id: [shift id or ""]} (fixed cells as fixed)."""
    roster = {s: list(row) for s, row in rm.fixed.items()} if rm.fixed else rm.problem.empty_roster()
    for staff, day in rm.work:
        roster[staff][day] = ""
    for (staff, day, shift), var in rm.x.items():
        if solver.boolean_value(var):
            roster[staff][day] = shift
    return roster


def set_hint(rm: RosterModel, roster: Roster) -> None:
    """Give CP-SAT a complete starting roster: every variable, the auxiliary ones computed from the roster."""
    model = rm.model
    model.clear_hints()
    off = [""] * rm.problem.days
    for (staff, day, shift), var in rm.x.items():
        model.add_hint(var, roster.get(staff, off)[day] == shift)
    for (staff, day), var in rm.work.items():
        model.add_hint(var, roster.get(staff, off)[day] != "")
    full = {s.id: roster.get(s.id, off) for s in rm.problem.staff}
    for var, value in rm.derived:
        model.add_hint(var, value(full))
