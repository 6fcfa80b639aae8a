"""Benchmark: plain CP-SAT on the whole province model, to tell a weak search from a weak bound.

    .venv/bin/python bench/roster_full_cpsat.py [--seconds 300] [--workers 2] [--engine-seconds 0] [--lawyers 420]
                                                [--seed 0]

Builds the full model of `bench/roster_province.py`'s period (no neighbourhoods) and runs CP-SAT on it, printing
each improving roster's objective, CP-SAT's bound and the load average against the seconds since the start. With
--engine-seconds S the engine runs S seconds first and its roster is CP-SAT's hint (does a long plain search improve
on the engine's roster?). Ends with the final roster's penalties by rule, re-evaluated by `penalties.evaluate`.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ortools.sat.python import cp_model  # noqa: E402

from roster_province import province_problem  # noqa: E402
from scheduling.common import SolverSettings  # noqa: E402
from scheduling.roster.model import build_model  # noqa: E402
from scheduling.roster.penalties import by_rule, evaluate, objective  # noqa: E402
from scheduling.roster.solve import extract, set_hint, solve  # noqa: E402


class Trajectory(cp_model.CpSolverSolutionCallback):
    """Prints each improving solution's objective and the bound with the seconds since `started`."""

    def __init__(self, started: float):
        super().__init__()
        self.started = started

    def on_solution_callback(self) -> None:
        """One line per improving roster."""
        print(f"  {time.monotonic() - self.started:6.0f} s  objective {self.objective_value:.0f}  "
              f"bound {self.best_objective_bound:.1f}  load {os.getloadavg()[0]:.1f}", flush=True)


def main() -> int:
    """Build, optionally hint with the engine's roster, solve and print the trajectory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="CP-SAT's time on the full model")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine-seconds", type=float, default=0.0, help="the engine first; its roster the hint")
    parser.add_argument("--lawyers", type=int, default=420)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.monotonic()
    problem = province_problem(args.lawyers, args.seed)
    hint = None
    if args.engine_seconds > 0:
        result = solve(problem, SolverSettings(args.engine_seconds, args.workers, args.seed))
        hint = result.roster
        print(f"engine: objective {result.objective} at {time.monotonic() - started:.0f} s, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
    rm = build_model(problem)
    if hint is not None:
        set_hint(rm, hint)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = args.workers
    solver.parameters.random_seed = args.seed
    solver.parameters.max_time_in_seconds = args.seconds
    status = solver.solve(rm.model, Trajectory(started))
    print(f"status {solver.status_name(status)}  objective {solver.objective_value:.0f}  "
          f"bound {solver.best_objective_bound:.1f}  at {time.monotonic() - started:.0f} s  "
          f"load {os.getloadavg()[0]:.1f}")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        items = evaluate(problem, extract(rm, solver))
        print(f"re-evaluated objective {objective(items)}")
        for entry in by_rule(items).values():
            print(f"  {entry['words']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
