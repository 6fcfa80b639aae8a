"""Benchmark the GAP solver on the OR-Library and Yagiura instances (prints figures; not a test).

    .venv/bin/python bench/assign_gap.py [--time-limit S] [--workers N] [--seed K] [--dir DIR] [FILES]

DIR holds orlib/, yagiura/ and bounds.txt (the full sets are not in the repository; tests/data/gap has the few
files the tests read): by default ../shared/bench/gap beside the checkout, or GAP_BENCH_DIR.

FILES are paths (or names relative to DIR, e.g. orlib/gapd.txt, yagiura/d801600.txt); OR-Library multi-problem
files are expanded into their problems. Prints objective, best known (upper value in bounds.txt), ratio, bound,
status and seconds per problem, then the geometric-mean ratio per type.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduling.common import SolverSettings  # noqa: E402
from scheduling.matching.gap import gap_is_feasible, gap_problem_count, read_gap  # noqa: E402
from scheduling.matching.gap_solve import solve_gap  # noqa: E402

DEFAULT_DIR = Path(os.environ.get("GAP_BENCH_DIR", Path(__file__).resolve().parents[2] / "shared" / "bench" / "gap"))
SIZES = ["05100", "05200", "10100", "10200", "20100", "20200"]


def known(bounds: Path) -> dict[str, int]:
    """Best known minimisation values (upper column) by instance name."""
    values = {}
    for line in bounds.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].endswith("_Min"):
            values[parts[0][:-4]] = int(parts[2])
    return values


def instance_name(path: Path, k: int, problem) -> str:
    """Name used in bounds.txt: gapa problem 1 is a05100, gap1 problem 1 is c0515_1, yagiura files by stem."""
    stem = path.stem
    if stem.startswith("gap") and stem[3:].isalpha():
        return stem[3] + SIZES[k - 1]
    if stem.startswith("gap"):
        return f"c{problem.agents:02d}{problem.jobs}_{k}"
    return stem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="the solver's seed (runs on type d vary by 10-40 units)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    if not (args.dir / "bounds.txt").exists():
        parser.error(f"no GAP benchmark set in {args.dir} (bounds.txt missing): give --dir or GAP_BENCH_DIR")
    files = [Path(f) if Path(f).exists() else args.dir / f for f in args.files] or (
        [args.dir / "orlib" / f"gap{t}.txt" for t in "abcd"] + sorted((args.dir / "yagiura").glob("*.txt")))
    best = known(args.dir / "bounds.txt")
    ratios: dict[str, list[float]] = {}
    print(f"{'problem':<12}{'objective':>10}{'best':>10}{'ratio':>9}{'bound':>10}  {'status':<9}{'seconds':>8}  ok")
    for path in files:
        for k in range(1, gap_problem_count(str(path)) + 1):
            problem = read_gap(str(path), k)
            name = instance_name(path, k, problem)
            settings = SolverSettings(time_limit=args.time_limit, workers=args.workers, seed=args.seed)
            result = solve_gap(problem, settings)
            stats, target = result.stats, best.get(name)
            ok = gap_is_feasible(problem, result.assignment)
            ratio = stats.objective / target if stats.objective is not None and target else None
            if ratio is not None:
                kind = f"{name[0]} ({path.parent.name})"
                ratios.setdefault(kind, []).append(ratio)
            print(f"{name:<12}{stats.objective or float('nan'):>10.0f}{target or float('nan'):>10.0f}"
                  f"{ratio or float('nan'):>9.4f}{stats.bound if stats.bound is not None else float('nan'):>10.0f}"
                  f"  {stats.status:<9}{stats.wall_s:>8.1f}  {'yes' if ok else 'NO'}", flush=True)
    everything = [r for values in ratios.values() for r in values]
    for kind, values in sorted(ratios.items()) + [("all", everything)]:
        mean = math.exp(sum(math.log(r) for r in values) / len(values))
        print(f"geometric mean ratio {kind:<14} {mean:.4f}  over {len(values)} problems, worst {max(values):.4f}")


if __name__ == "__main__":
    main()
