"""How long a roster solve takes to report its first progress, cold and warm (prints figures; not a test).

    .venv/bin/python bench/roster_first_progress.py [--lawyers 420] [--runs 2] [--workers 2]

The web UI's background job calls ``scheduling.roster.solve`` and shows each progress report; the issue asks that a
solve on a fresh install report within 10 s. Each run is a new Python process that imports the engine, builds the
province period (``bench/roster_province.py``), starts the solve and cancels it at its first report. The first run
uses an empty numba cache (``NUMBA_CACHE_DIR`` in a new temporary folder), so it pays every compile the engine needs
before that report; the later runs reuse that cache, as a second solve on the same install does. Times count from
the process's start, imports included.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
started = time.monotonic()
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from scheduling.common import CancelToken, SolverSettings
from scheduling.roster.solve import solve
from roster_province import province_problem
imported = time.monotonic() - started
problem = province_problem({lawyers}, 0)
built = time.monotonic() - started
token = CancelToken()
first = []
def progress(report):
    if not first:
        first.append((time.monotonic() - started, report.objective))
        token.cancel()
solve(problem, SolverSettings({limit}, {workers}, 0), on_progress=progress, cancel=token)
print(json.dumps({{"imported": imported, "built": built, "first": first[0] if first else None,
                  "ended": time.monotonic() - started}}))
"""


def run_once(cache: str, args: argparse.Namespace) -> dict:
    """One fresh process; returns its timings."""
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), lawyers=args.lawyers, limit=args.time_limit,
                        workers=args.workers)
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    """Run cold then warm and print each run's figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lawyers", type=int, default=420)
    parser.add_argument("--runs", type=int, default=2, help="runs in all; the first is cold")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    print(f"province period, {args.lawyers} lawyers, 31 days; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        for run in range(args.runs):
            wall = time.monotonic()
            figures = run_once(cache, args)
            first = figures["first"]
            said = f"first report {first[0]:5.1f} s (objective {first[1]:.0f})" if first else "no report"
            print(f"{'cold' if run == 0 else 'warm'}: imports {figures['imported']:4.1f} s, problem built "
                  f"{figures['built']:4.1f} s, {said}, process {time.monotonic() - wall:5.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
