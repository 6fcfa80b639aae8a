"""Benchmark the roster engine on the Curtois instances: objective, best known, ratio, bound, status, seconds.

    .venv/bin/python bench/roster_curtois.py [--time-limit 60] [--instances 1-12] [--workers 2] [--seed 0]
                                             [--figures]

Instances are read from ../shared/bench/curtois/ (override with --dir or ROSTER_CURTOIS_DIR). Every roster is
re-checked by the independent checker of the tests (hard rules and objective); the last column says so.

Single runs of the long instances vary a lot with the seed and the machine's timing. `--seed 0,1,2` runs every
instance once per seed and adds a "median" line per instance; the geometric means then use the medians.
`--figures` prints what the search did (start, sub-solves, improvements by source) under each run.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.common import SolverSettings  # noqa: E402
from scheduling.roster.curtois import read_curtois  # noqa: E402
from scheduling.roster.solve import solve  # noqa: E402

DEFAULT_DIR = Path(os.environ.get("ROSTER_CURTOIS_DIR", Path(__file__).resolve().parents[2] / "shared" / "bench" / "curtois"))


def load_checker():
    """The independent checker from the tests."""
    spec = importlib.util.spec_from_file_location("roster_checker", ROOT / "tests/scheduling/roster/checker.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def instance_numbers(text: str) -> list[int]:
    """'1-12' or '1,3,5-7' -> numbers."""
    numbers = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def seed_list(text: str) -> list[int]:
    """'0' or '0,1,2' -> seeds (argparse turns the ValueError into a usage error, exit status 2)."""
    return [int(seed) for seed in text.split(",")]


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--instances", default="1-12")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=seed_list, default=[0], help="a seed, or several separated by commas")
    parser.add_argument("--figures", action="store_true", help="print the search's figures under each run")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    if not (args.dir / "best_known.csv").exists():
        parser.error(f"no Curtois benchmark set in {args.dir} (no best_known.csv): give --dir or ROSTER_CURTOIS_DIR")
    with open(args.dir / "best_known.csv", newline="") as handle:
        best = {row["instance"]: int(row["best_known"]) for row in csv.DictReader(handle)}
    checker = load_checker()
    seeds = args.seed
    print(f"time limit {args.time_limit:g} s, {args.workers} workers, seed {','.join(map(str, seeds))}")
    print(f"{'instance':<13}{'objective':>8}{'best':>8}{'ratio':>8}{'bound':>10}  {'status':<9}{'seconds':>8}  check")
    ratios = []
    for number in instance_numbers(args.instances):
        name = f"Instance{number}"
        problem = read_curtois(args.dir / f"{name}.txt")
        objectives = []
        for seed in seeds:
            label = name if len(seeds) == 1 else f"{name}/{seed}"
            started = time.monotonic()
            result = solve(problem, SolverSettings(args.time_limit, args.workers, seed))
            seconds = time.monotonic() - started
            if result.roster is None:
                print(f"{label:<13}{'-':>8}{best[name]:>8}{'-':>8}{'-':>10}  {result.status:<9}{seconds:>8.1f}")
                continue
            bad = checker.violations(problem, result.roster)
            same = checker.objective(problem, result.roster) == result.objective
            check = "ok" if not bad and same else f"FAILED ({len(bad)} violations, objective equal: {same})"
            objectives.append(result.objective)
            bound = "-" if result.stats.bound is None else f"{result.stats.bound:.0f}"
            print(f"{label:<13}{result.objective:>8}{best[name]:>8}{result.objective / best[name]:>8.3f}{bound:>10}"
                  f"  {result.status:<9}{seconds:>8.1f}  {check}", flush=True)
            if args.figures:
                print("  " + ", ".join(f"{key} {value}" for key, value in result.stats.extra.items()))
        if len(objectives) < len(seeds):
            continue  # an instance without a roster for every seed has no ratio
        middle = statistics.median(objectives)
        ratios.append((number, middle / best[name]))
        if len(seeds) > 1:
            print(f"{name + ' median':<21}{middle:>8g}{middle / best[name]:>8.3f}   "
                  f"(range {min(objectives)}-{max(objectives)})", flush=True)
    for label, low, high in (("1-12", 1, 12), ("13-20", 13, 20), ("all run", 1, 99)):
        chosen = [r for n, r in ratios if low <= n <= high]
        if chosen:
            mean = math.exp(sum(math.log(r) for r in chosen) / len(chosen))
            print(f"geometric mean ratio over {label} ({len(chosen)} instances): {mean:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
