"""Benchmark: dispatching a province's disputes to its mediation committees.

    python bench/dispatch.py [--disputes 20000] [--committees 2000] [--seed 0]

Builds a province of 14 cities, 100 counties, 1,400 townships and their villages; committees at village, township
and county level (key-and-difficult, industry: medical, traffic, labour, property; rooms at courts, police and
petition offices), then times scheduling.dispatch on disputes spread over the villages with realistic risks. The
target of the dispute-ledger issue is under 10 s for 20,000 disputes and 2,000 committees.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.dispatch import Committee, DispatchProblem, Dispute, dispatch  # noqa: E402

TYPES = ("family", "neighbour", "labour", "land", "property", "medical", "traffic", "contract", "other")
INDUSTRY = {"medical": ("medical",), "traffic": ("traffic",), "labour": ("labour",), "property": ("property",)}


def province(disputes: int, committees: int, rng: random.Random) -> DispatchProblem:
    """A province-shaped problem with about the given numbers of disputes and committees."""
    counties = [f"county{k}" for k in range(100)]
    places = []  # (village, township, county, lat, lon)
    townships = []
    for t in range(1400):
        county = counties[t % 100]
        lat, lon = 39.0 + rng.random() * 3, 120.0 + rng.random() * 4
        townships.append((f"town{t}", county, lat, lon))
        for v in range(10):
            places.append((f"village{t}-{v}", f"town{t}", county, lat + rng.gauss(0, 0.05), lon + rng.gauss(0, 0.05)))
    made: list[Committee] = []
    for county in counties:  # a key-and-difficult committee, two industry committees, one stationed room
        lat, lon = 39.0 + rng.random() * 3, 120.0 + rng.random() * 4
        made.append(Committee(id=f"{county}-key", level=2, units=frozenset({county}), capacity=60, senior=True,
                              languages=frozenset({"zh", "ko"} if rng.random() < 0.2 else {"zh"}), lat=lat, lon=lon))
        for kind in rng.sample(sorted(INDUSTRY), 2):
            made.append(Committee(id=f"{county}-{kind}", level=2, units=frozenset({county}), capacity=40,
                                  types=frozenset(INDUSTRY[kind]), senior=rng.random() < 0.5, lat=lat, lon=lon))
        made.append(Committee(id=f"{county}-court", level=2, units=frozenset({county}), capacity=30, senior=True,
                              lat=lat, lon=lon))
    for town, _county, lat, lon in townships[: max(0, (committees - len(made)) * 2 // 3)]:
        made.append(Committee(id=f"{town}-committee", level=1, units=frozenset({town}), capacity=12,
                              senior=rng.random() < 0.3, lat=lat, lon=lon))
    for village, _town, _county, lat, lon in rng.sample(places, max(0, committees - len(made))):
        made.append(Committee(id=f"{village}-committee", level=0, units=frozenset({village}), capacity=5,
                              lat=lat, lon=lon))
    risks = rng.choices(("red", "orange", "yellow", "blue"), weights=(1, 4, 25, 70), k=disputes)
    cases = []
    for i, risk in enumerate(risks):
        village, town, county, lat, lon = rng.choice(places)
        cases.append(Dispute(id=f"d{i}", risk=risk, type=rng.choice(TYPES), units=frozenset({village, town, county}),
                             language="ko" if rng.random() < 0.01 else "zh", lat=lat, lon=lon,
                             excluded=frozenset({f"{county}-court"}) if rng.random() < 0.02 else frozenset()))
    return DispatchProblem(committees=tuple(made[:committees]), disputes=tuple(cases))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--disputes", type=int, default=20000)
    parser.add_argument("--committees", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    problem = province(args.disputes, args.committees, random.Random(args.seed))
    result = dispatch(problem)
    reasons: dict[str, int] = {}
    for words in result.unassigned.values():
        reasons[words.code] = reasons.get(words.code, 0) + 1
    print(f"{len(problem.disputes)} disputes x {len(problem.committees)} committees: {result.status} "
          f"in {result.wall_s:.2f} s")
    print(f"  served by risk {result.served_by_risk}, level total {result.level_total}, "
          f"distance {result.distance_km} km, balance {result.balance:.1f}")
    print(f"  stages {result.stages}")
    print(f"  unassigned {len(result.unassigned)}: {reasons}")


if __name__ == "__main__":
    main()
