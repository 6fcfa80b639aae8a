"""Benchmark the exact pricing routine (``scheduling/roster/labelling.py``) against the Lagrangian DP of the start.

    .venv/bin/python bench/roster_pricing.py [--lawyers 60] [--days 35] [--seed 0] [--instance 13]
                                             [--dir ../shared/bench/curtois] [--fresh-cache]

For (a) a province-like person set (``roster_province.province_problem``, its period stretched to --days) and (b)
a Curtois instance, every person is priced once under random prices shaped like column generation's: a seat
dual per day and shift (mostly a gain), the person's own requests, a little noise. Prints the time per person of
``cheapest_row``: cold (the process's first call: compiling, or with a warm cache loading the compiled code) and
warm (median, mean, max), and of ``person_dp.cheapest_schedule``; then how the costs compare (the exact cost
is never above the DP's; how often the DP misses the optimum, and how often it finds no row where one exists).

``--fresh-cache`` compiles into an empty temporary cache, so "cold" includes the compile. The machine's cores
are shared: timings vary by a factor of two or so between runs.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_DIR = Path(os.environ.get("ROSTER_CURTOIS_DIR", ROOT.parent / "shared" / "bench" / "curtois"))


def random_prices(problem, person, rng: random.Random, seat: list[list[float]]) -> list[list[float]]:
    """Seat duals shared by everybody, plus the person's own requests and a little noise."""
    from scheduling.roster.construct import own_prices

    on = [r for r in problem.on_requests if r.staff == person.id]
    off = [r for r in problem.off_requests if r.staff == person.id]
    own = own_prices(problem, person, on, off)
    return [[seat[d][k] + own[d][k] + rng.uniform(-3, 3) for k in range(len(problem.shifts))]
            for d in range(problem.days)]


def run(name: str, problem, seed: int) -> None:
    """Price every person once with both routines and print the figures."""
    from scheduling.roster.labelling import cheapest_row
    from scheduling.roster.person_dp import cheapest_schedule

    rng = random.Random(seed)
    seat = [[rng.uniform(-60, 10) for _ in problem.shifts] for _ in range(problem.days)]
    exact_times, dp_times, labels = [], [], []
    misses = lost = infeasible = worse = 0
    for person in problem.staff:
        prices = random_prices(problem, person, rng, seat)
        stats: dict = {}
        started = time.perf_counter()
        found = cheapest_row(problem, person, prices, stats=stats)
        exact_times.append(time.perf_counter() - started)
        labels.append(stats.get("labels", 0))
        started = time.perf_counter()
        row = cheapest_schedule(problem, person, prices)
        dp_times.append(time.perf_counter() - started)
        if found is None:
            infeasible += 1
            worse += row is not None  # the DP's rows are checked valid, so this would be a bug
            continue
        if row is None:
            lost += 1
            continue
        dp_cost = sum(prices[d][[s.id for s in problem.shifts].index(s)] for d, s in enumerate(row) if s)
        worse += found[1] > dp_cost + 1e-6 * max(1.0, abs(dp_cost))
        misses += dp_cost > found[1] + 1e-6 * max(1.0, abs(found[1]))
    cold, warm = exact_times[0], exact_times[1:] or exact_times
    people = len(problem.staff)
    print(f"{name}: {people} people, {problem.days} days, {len(problem.shifts)} shift types")
    print(f"  exact   cold {cold * 1e3:8.1f} ms   warm median {statistics.median(warm) * 1e3:6.2f} ms  "
          f"mean {statistics.mean(warm) * 1e3:6.2f} ms  max {max(warm) * 1e3:7.1f} ms  "
          f"labels median {statistics.median(labels):.0f} max {max(labels)}")
    print(f"  DP           median {statistics.median(dp_times) * 1e3:6.2f} ms  "
          f"mean {statistics.mean(dp_times) * 1e3:6.2f} ms")
    print(f"  exact above DP: {worse} (must be 0); no valid row: {infeasible}; DP misses the optimum: {misses} of "
          f"{people - infeasible}; DP finds no row where one exists: {lost}")


def main() -> int:
    """Parse the arguments, build both person sets and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lawyers", type=int, default=60)
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--instance", type=int, default=13)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--fresh-cache", action="store_true", help="compile into an empty temporary cache")
    args = parser.parse_args()
    if args.fresh_cache:
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="numba-")  # read when numba is first imported
    from roster_province import province_problem

    from scheduling.roster.curtois import read_curtois

    base = province_problem(args.lawyers, args.seed)
    stretch = args.days / base.days  # the province's limits are for 31 days
    staff = [dataclasses.replace(p, max_minutes=round(p.max_minutes * stretch),
                                 min_minutes=round(p.min_minutes * stretch),
                                 max_shifts={k: round(v * stretch) for k, v in p.max_shifts.items()},
                                 max_weekends=round(p.max_weekends * stretch)) for p in base.staff]
    run(f"province-like, {args.days} days", dataclasses.replace(base, days=args.days, staff=staff), args.seed)
    path = args.dir / f"Instance{args.instance}.txt"
    if path.exists():
        run(f"Curtois instance {args.instance}", read_curtois(path), args.seed)
    else:
        print(f"no {path}: give --dir or ROSTER_CURTOIS_DIR for the Curtois figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
