"""The search strategy: a full CP-SAT solve, large-neighbourhood search around the best roster, a final full solve.

Each neighbourhood frees a few people (all their days), a window of days (all people) or a block of both, fixes
every other cell to the incumbent by narrowing variable domains in place (restored afterwards), caps the
objective at the incumbent's and re-solves for about a second. Equal-cost moves are accepted to drift on
plateaus; neighbourhood sizes grow when sub-solves finish early and shrink when they time out.
"""
from __future__ import annotations

import os
import random
import sys
import time

from ortools.sat.python import cp_model

from scheduling.common import CancelToken, Progress, ProgressCallback, SolverSettings
from scheduling.roster.model import RosterModel
from scheduling.roster.problem import Roster
from scheduling.roster.solve import FullSolve, extract, set_hint, solve_model

FIRST_SHARE = 0.2  # of the time limit for the first full solve
FINAL_SHARE = 0.15  # kept for the closing full solve (raises the bound)
KINDS = ("staff", "days", "block")
_TRACE = bool(os.environ.get("ROSTER_TRACE"))


class Search:
    """Full solve -> neighbourhood search -> full solve, keeping the best roster and the best bound."""

    def __init__(self, rm: RosterModel, settings: SolverSettings, on_progress: ProgressCallback | None,
                 cancel: CancelToken | None, started: float, use_lns: bool = True):
        self.rm = rm
        self.settings = settings
        self.cancel = cancel
        self.started = started
        self.deadline = started + settings.time_limit
        self.use_lns = use_lns
        self.rng = random.Random(settings.seed)
        self.best: Roster | None = None
        self.best_objective = float("inf")
        self.bound: float | None = None
        self._on_progress = on_progress
        self.figures = {"lns_iterations": 0, "lns_improvements": 0}
        self.best_objective_reported = float("inf")

    def remaining(self) -> float:
        """Seconds left before the deadline."""
        return self.deadline - time.monotonic()

    def stopped(self) -> bool:
        """True when cancelled or out of time."""
        return (self.cancel is not None and self.cancel.cancelled) or self.remaining() <= 0.05

    def report(self, progress: Progress) -> None:
        """Forward only improving objectives, with the best bound known."""
        if self._on_progress is None or progress.objective >= self.best_objective_reported:
            return
        self.best_objective_reported = progress.objective
        bound = max(progress.bound, self.bound) if self.bound is not None else progress.bound
        self._on_progress(Progress(progress.objective, bound, progress.seconds))

    def run(self, hint: Roster | None = None) -> FullSolve:
        """The whole search; returns the best roster found and the best bound proven."""
        limit = self.settings.time_limit
        first_limit = limit if not self.use_lns else max(min(limit * FIRST_SHARE, self.remaining()), 0.05)
        first = self._full(first_limit, hint)
        if first.status in ("OPTIMAL", "INFEASIBLE", "MODEL_INVALID") or self.stopped():
            return first
        if first.roster is None:
            return self._full(self.remaining(), None)
        self._take(first)
        if self.use_lns:
            self._neighbourhoods(self.deadline - limit * FINAL_SHARE)
        status = "FEASIBLE"
        if not self.stopped():
            final = self._full(self.remaining(), self.best)
            if final.status == "OPTIMAL" and final.objective is not None and final.objective <= self.best_objective:
                status = "OPTIMAL"
            self._take(final)
        return FullSolve(status, self.best, self.best_objective, self.bound)

    def _full(self, seconds: float, hint: Roster | None) -> FullSolve:
        """A full-model solve that updates the bound."""
        outcome = solve_model(self.rm, self.settings, seconds, self.report, self.cancel, hint, self.started)
        if outcome.bound is not None:
            self.bound = outcome.bound if self.bound is None else max(self.bound, outcome.bound)
        return outcome

    def _take(self, outcome: FullSolve) -> None:
        """Keep the outcome's roster when it is better."""
        if outcome.roster is not None and outcome.objective is not None and outcome.objective < self.best_objective:
            self.best, self.best_objective = outcome.roster, outcome.objective

    def _neighbourhoods(self, until: float) -> None:
        """Large-neighbourhood search until `until` (monotonic seconds)."""
        rm, proto = self.rm, self.rm.model.proto
        p = rm.problem
        cells: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for (staff, day, shift), var in rm.x.items():
            cells.setdefault((staff, day), []).append((shift, var.index))
        offset = proto.objective.offset
        sizes = {"staff": min(max(2, len(p.staff) // 8), 6) / len(p.staff),
                 "days": min(7, p.days) / p.days, "block": 0.3}
        sub_limit = float(os.environ.get("ROSTER_SUB", 0)) or min(max(self.settings.time_limit / 40, 0.2), 2.0)
        sub_workers = int(os.environ.get("ROSTER_SUBW", 0)) or self.settings.workers
        set_hint(rm, self.best)
        while time.monotonic() < until and not self.stopped():
            kind = self.rng.choice(KINDS)
            free = self._free(kind, sizes[kind])
            for (staff, day), entries in cells.items():
                if (staff, day) not in free:
                    current = self.best[staff][day]
                    for shift, index in entries:
                        value = int(current == shift)
                        domain = proto.variables[index].domain
                        domain[0] = value
                        domain[1] = value
            proto.objective.domain.extend([-(2 ** 60), int(round(self.best_objective - offset))])
            solver = cp_model.CpSolver()
            seconds = max(min(sub_limit, until - time.monotonic()), 0.05)
            SolverSettings(seconds, sub_workers, self.rng.randrange(1 << 30)).apply(solver)
            unlisten = self.cancel.listen(solver.stop_search) if self.cancel else None
            tick = time.monotonic()
            status = solver.solve(rm.model)
            took = time.monotonic() - tick
            if unlisten:
                unlisten()
            proto.objective.domain.clear()
            for entries in cells.values():
                for _, index in entries:
                    domain = proto.variables[index].domain
                    domain[0] = 0
                    domain[1] = 1
            self.figures["lns_iterations"] += 1
            if status == cp_model.OPTIMAL and took < seconds * 0.5:
                sizes[kind] = min(sizes[kind] * 1.1, 1.0)
            elif status != cp_model.OPTIMAL:
                sizes[kind] = max(sizes[kind] * 0.9, 0.02)
            if _TRACE:
                print(f"lns {kind:5} size={sizes[kind]:.3f} free={len(free)} st={solver.status_name(status)} "
                      f"t={took:.2f} obj={solver.objective_value if status in (2, 4) else None} "
                      f"best={self.best_objective}", file=sys.stderr)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                value = solver.objective_value
                if value <= self.best_objective:
                    if value < self.best_objective:
                        self.figures["lns_improvements"] += 1
                    self.best, self.best_objective = extract(rm, solver), value
                    set_hint(rm, self.best)
                    self.report(Progress(value, self.bound if self.bound is not None else value,
                                         time.monotonic() - self.started))
        rm.model.clear_hints()

    def _free(self, kind: str, size: float) -> set[tuple[str, int]]:
        """The cells a neighbourhood lets change."""
        p = self.rm.problem
        ids = [s.id for s in p.staff]
        if kind == "staff":
            people = self.rng.sample(ids, max(1, min(len(ids), round(size * len(ids)))))
            return {(s, d) for s in people for d in range(p.days)}
        if kind == "days":
            width = max(1, min(p.days, round(size * p.days)))
            first = self.rng.randrange(p.days - width + 1)
            return {(s, d) for s in ids for d in range(first, first + width)}
        # block: a share of the people over a window twice as long as their share
        share = max(size, 0.02) ** 0.5
        people = self.rng.sample(ids, max(1, min(len(ids), round(share * len(ids)))))
        width = max(1, min(p.days, round(share * p.days)))
        first = self.rng.randrange(p.days - width + 1)
        return {(s, d) for s in people for d in range(first, first + width)}
