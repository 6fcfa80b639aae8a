"""Solver settings, results, progress reporting and cancellation shared by every engine."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model

STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
}


class Words(str):
    """A sentence for the coordinator: the engine's English text, carrying a reason code and its parameters.

    It is a ``str`` (the command line and the JSON files print the English), and ``code`` with ``params`` (ids,
    day numbers and counts, never words) let an application say the same thing in its user's language.
    """

    code: str
    params: dict

    def __new__(cls, text: str, code: str, **params) -> "Words":
        self = super().__new__(cls, text)
        self.code = code
        self.params = params
        return self

    def __reduce__(self):
        return _words, (str(self), self.code, self.params)

    def as_dict(self) -> dict:
        """{"code", "params", "text"}: what an application stores to say it again later in any language."""
        return {"code": self.code, "params": self.params, "text": str(self)}


def _words(text: str, code: str, params: dict) -> Words:
    return Words(text, code, **params)


@dataclass(frozen=True)
class SolverSettings:
    """Explicit, reproducible solver settings: results repeat for the same seed and workers."""

    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False

    def apply(self, solver: cp_model.CpSolver) -> None:
        """Copy these settings onto a CP-SAT solver."""
        solver.parameters.max_time_in_seconds = float(self.time_limit)
        solver.parameters.num_workers = int(self.workers)
        solver.parameters.random_seed = int(self.seed)
        solver.parameters.log_search_progress = bool(self.log)


@dataclass(frozen=True)
class Progress:
    """One progress report: best objective so far, best proven bound, seconds since the start."""

    objective: float
    bound: float
    seconds: float


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """Thread-safe flag a caller sets to stop a running solve; the solver keeps its best answer."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Ask every solve listening to this token to stop as soon as it can."""
        with self._lock:
            self._event.set()
            listeners = list(self._listeners)
        for stop in listeners:
            stop()

    @property
    def cancelled(self) -> bool:
        """True once cancel() has been called."""
        return self._event.is_set()

    def listen(self, stop: Callable[[], None]) -> Callable[[], None]:
        """Call stop() on cancel (at once if already cancelled); returns a function that unregisters it."""
        with self._lock:
            self._listeners.append(stop)
            already = self._event.is_set()
        if already:
            stop()

        def unlisten() -> None:
            with self._lock:
                if stop in self._listeners:
                    self._listeners.remove(stop)

        return unlisten


class ProgressReporter(cp_model.CpSolverSolutionCallback):
    """CP-SAT solution callback that forwards (objective, bound, seconds) to a plain function."""

    def __init__(self, on_progress: ProgressCallback | None, offset: float = 0.0, started: float | None = None):
        super().__init__()
        self._on_progress = on_progress
        self._offset = offset
        self._started = time.monotonic() if started is None else started

    def on_solution_callback(self) -> None:
        """Report each improving solution."""
        if self._on_progress is not None:
            self._on_progress(
                Progress(
                    objective=self.ObjectiveValue() + self._offset,
                    bound=self.BestObjectiveBound() + self._offset,
                    seconds=time.monotonic() - self._started,
                )
            )


@dataclass
class SolveStats:
    """What every engine reports about a solve."""

    status: str
    objective: float | None
    bound: float | None
    wall_s: float
    extra: dict = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0.0 when proven optimal)."""
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective - bound) / objective for a minimisation; 0.0 when they meet, None when either is unknown."""
    if objective is None or bound is None:
        return None
    if objective == 0:
        return 0.0
    return max(0.0, objective - bound) / abs(objective)
