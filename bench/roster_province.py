"""Benchmark a province-size duty period: 420 lawyers, 31 days, 4 shift types, seats by legal area and language.

    .venv/bin/python bench/roster_province.py [--time-limit 60] [--workers 2] [--seed 0] [--lawyers 420]

Prints objective, proven bound, gap, seconds and the penalty breakdown; the roster is re-checked by the tests'
independent checker.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.common import SolverSettings  # noqa: E402
from scheduling.roster.problem import Cover, Fairness, Problem, Request, ShiftType, Staff  # noqa: E402
from scheduling.roster.solve import solve  # noqa: E402

CITIES = ["Shenyang", "Dalian", "Anshan", "Fushun", "Benxi", "Dandong", "Jinzhou", "Yingkou", "Fuxin", "Liaoyang",
          "Panjin", "Tieling", "Chaoyang", "Huludao"]
AREAS = ["labour", "marriage and family", "inheritance", "contracts and debts", "housing", "land", "traffic accidents",
         "medical disputes", "consumer rights", "company", "foreign investment", "intellectual property", "finance",
         "construction", "administrative", "criminal", "legal aid", "notarization", "judicial appraisal", "mediation"]
BUSY_AREAS = AREAS[:8]
LANGUAGES = [("Korean", 0.08), ("Mongolian", 0.04), ("English", 0.15), ("Japanese", 0.05), ("Russian", 0.04)]


def province_problem(lawyers: int = 420, seed: int = 0) -> Problem:
    """A month of hotline duty for the province (New Year holidays on days 0-2)."""
    rng = random.Random(seed)
    shifts = [
        ShiftType("M", 240, 8 * 60, name="morning"),
        ShiftType("A", 300, 12 * 60, name="afternoon"),
        ShiftType("E", 300, 17 * 60, name="evening"),
        ShiftType("N", 600, 22 * 60, name="night", unpopular=True),
    ]
    days = 31
    staff = []
    for i in range(lawyers):
        areas = frozenset(rng.sample(AREAS, rng.randint(1, 3)))
        languages = frozenset(["Mandarin"] + [name for name, share in LANGUAGES if rng.random() < share])
        off = frozenset(rng.sample(range(days), rng.randint(0, 6)))
        staff.append(Staff(f"L{i:03d}", f"Lawyer {i:03d}", areas, languages, {"N": 3}, min_minutes=600,
                           max_minutes=2400, min_consecutive=1, max_consecutive=3, min_days_off=1, max_weekends=2,
                           days_off=off, group=rng.choice(CITIES)))
    covers = []
    general = {"M": 24, "A": 24, "E": 12, "N": 4}
    for d in range(days):
        weekend = (dt.date(2027, 1, 1) + dt.timedelta(days=d)).weekday() >= 5 or d < 3
        for sid, seats in general.items():
            need = max(2, seats // 2) if weekend else seats
            covers.append(Cover(d, sid, need, 100, 5, hard_min=2))
        for area in BUSY_AREAS:
            for sid in ("M", "A"):
                covers.append(Cover(d, sid, 1 if weekend else 2, 50, 0, area=area))
        for sid in ("M", "A", "E"):
            covers.append(Cover(d, sid, 1, 60, 0, language="Korean"))
        covers.append(Cover(d, "M", 1, 40, 0, language="Mongolian"))
        covers.append(Cover(d, "A", 1, 30, 0, language="English"))
    on, off_requests = [], []
    for person in staff:
        for _ in range(rng.randint(0, 3)):
            on.append(Request(person.id, rng.randrange(days), rng.choice("MAE"), rng.randint(1, 3)))
        for _ in range(rng.randint(0, 4)):
            off_requests.append(Request(person.id, rng.randrange(days), rng.choice("MAEN"), rng.randint(1, 3)))
    return Problem(days=days, shifts=shifts, staff=staff, covers=covers, on_requests=on, off_requests=off_requests,
                   start=dt.date(2027, 1, 1), holidays=frozenset({0, 1, 2}), min_rest_hours=11,
                   fairness=Fairness(duties=1, unpopular=2), name="Liaoning 12348, January 2027")


def main() -> int:
    """Build, solve and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lawyers", type=int, default=420)
    args = parser.parse_args()
    problem = province_problem(args.lawyers, args.seed)
    print(f"{problem.name}: {len(problem.staff)} lawyers, {problem.days} days, {len(problem.shifts)} shift types, "
          f"{len(problem.covers)} seat groups ({sum(c.requirement for c in problem.covers)} seats)")
    started = time.monotonic()
    result = solve(problem, SolverSettings(args.time_limit, args.workers, args.seed))
    seconds = time.monotonic() - started
    if result.roster is None:
        print(f"status {result.status}, no roster after {seconds:.1f} s")
        return 1
    spec = importlib.util.spec_from_file_location("roster_checker", ROOT / "tests/scheduling/roster/checker.py")
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    bad = checker.violations(problem, result.roster)
    same = checker.objective(problem, result.roster) == result.objective
    bound = result.stats.bound or 0.0
    gap = (result.objective - bound) / max(result.objective, 1)
    print(f"status {result.status}  objective {result.objective}  bound {bound:.1f}  gap {gap:.2%}  "
          f"seconds {seconds:.1f}  check {'ok' if not bad and same else 'FAILED'}")
    for rule, entry in result.to_json()["penalties"]["by_rule"].items():
        print(f"  {entry['words']}")
    print(f"  search: {result.stats.extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
