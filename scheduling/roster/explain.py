"""Why no roster exists: the small set of hard rules and requirements that cannot all hold together.

Every hard rule instance (a person's limit, a fixed day off, a pinned duty, a seat's hard minimum...) is guarded
by an assumption literal; CP-SAT returns a sufficient subset of assumptions for infeasibility, which is then
shrunk by dropping one rule at a time while the rest still conflict.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduling.common import SolverSettings
from scheduling.roster.model import build_model
from scheduling.roster.problem import Problem


@dataclass
class Explanation:
    """Outcome of the check: whether the hard rules can all hold, and if not which ones conflict."""

    feasible: bool | None  # None when the time ran out before an answer
    rules: list[str] = field(default_factory=list)

    def text(self) -> str:
        """One paragraph for the coordinator."""
        if self.feasible:
            return "All hard rules can be met together."
        if self.feasible is None:
            return "No answer within the time limit."
        return "These rules cannot all hold together: " + "; ".join(self.rules) + "."


def explain(problem: Problem, settings: SolverSettings | None = None, shrink: bool = True) -> Explanation:
    """Check the hard rules alone; when they conflict return a small conflicting set in the coordinator's words."""
    settings = settings or SolverSettings(time_limit=10.0)
    deadline = time.monotonic() + settings.time_limit
    rm = build_model(problem, explain=True)
    rm.model.clear_objective()
    words_of = {lit.index: words for words, lit in rm.guards.items()}
    status, core = _check(rm.model, list(rm.guards.values()), settings, deadline)
    if status != cp_model.INFEASIBLE:
        return Explanation(True if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None)
    if shrink:
        core = _shrink(rm.model, core, settings, deadline)
    return Explanation(False, [words_of[lit.index] for lit in core])


def _check(model: cp_model.CpModel, assumed: list, settings: SolverSettings, deadline: float):
    """Solve with the given rules switched on; returns (status, sufficient rules when infeasible)."""
    model.clear_assumptions()
    model.add_assumptions(assumed)
    solver = cp_model.CpSolver()
    # a single worker: the assumption core is only reported by the sequential search
    SolverSettings(max(deadline - time.monotonic(), 0.05), 1, settings.seed).apply(solver)
    status = solver.solve(model)
    core = []
    if status == cp_model.INFEASIBLE:
        by_index = {lit.index: lit for lit in assumed}
        core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
        if not core:
            core = list(assumed)
    model.clear_assumptions()
    return status, core


def _shrink(model: cp_model.CpModel, core: list, settings: SolverSettings, deadline: float) -> list:
    """Drop rules one at a time while the remaining ones still conflict (a minimal set when time allows)."""
    index = 0
    while index < len(core) and time.monotonic() < deadline:
        trial = core[:index] + core[index + 1:]
        status, smaller = _check(model, trial, settings, deadline)
        if status == cp_model.INFEASIBLE:
            keep = {lit.index for lit in smaller}
            core = [lit for lit in trial if lit.index in keep]
        else:
            index += 1
    return core
