"""Benchmark the province matching: 2,885 projects, FTZ lawyers, every hard rule (prints figures; not a test).

    .venv/bin/python bench/assign_province.py [--time-limit S] [--workers N] [--seed K] [--projects N] [--lawyers N]

Builds the synthetic Liaoning instance (scheduling/matching/demo.py), solves it, checks every hard rule, and prints
objective, proven bound, gap and seconds beside the plain greedy baseline's objective from the same run.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduling.common import SolverSettings  # noqa: E402
from scheduling.matching.demo import province_instance  # noqa: E402
from scheduling.matching.evaluate import broken_rules  # noqa: E402
from scheduling.matching.solve import match  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--projects", type=int, default=2885)
    parser.add_argument("--lawyers", type=int, default=180)
    args = parser.parse_args()
    problem = province_instance(seed=args.seed, projects=args.projects, lawyers=args.lawyers)
    firms = len({lw.firm for lw in problem.lawyers})
    print(f"instance: {len(problem.projects)} projects, {len(problem.lawyers)} lawyers in {firms} firms, "
          f"{len(problem.cities)} cities")
    started = time.monotonic()

    def progress(p) -> None:
        print(f"  {p.seconds:6.1f}s  objective {p.objective:10.1f}  bound {p.bound:10.1f}", flush=True)

    result = match(problem, SolverSettings(time_limit=args.time_limit, workers=args.workers, seed=args.seed),
                   on_progress=progress)
    broken = broken_rules(problem, result.counsel)
    print(f"status {result.status}, seconds {time.monotonic() - started:.1f}, "
          f"matched {len(result.counsel)}, unmatched {len(result.unmatched)}, broken rules {len(broken)}")
    print(f"objective {result.objective:.1f}  bound {result.bound:.1f}  gap {100 * (result.gap or 0):.2f}%")
    improvement = 100 * (1 - result.objective / result.greedy_objective)
    print(f"greedy baseline {result.greedy_objective:.1f}  ->  {improvement:.1f}% below greedy")
    print("breakdown: " + ", ".join(f"{k} {v:.0f}" for k, v in result.breakdown.items()))
    print("search: " + ", ".join(f"{k} {v}" for k, v in result.extra.items()))


if __name__ == "__main__":
    main()
