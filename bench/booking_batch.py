"""Benchmark the batch booking: 2,000 counsel requests, 400 lawyers, two weeks of slots (prints figures; not a test).

    .venv/bin/python bench/booking_batch.py [--requests N] [--lawyers N] [--days N] [--seed K] [--time-limit S]

Builds a seeded province-like batch: lawyers hold a video block 09:00-12:00 and/or a phone block 14:00-17:00 on some
days (30-minute slots, 10-minute buffers), practise 1-4 of 12 legal areas, take 3-6 consultations a day and have
some already booked; requests have 1-3 windows, a priority from their urgency (low 1, normal 2, high 4, critical 8),
1-2 own counsel and sometimes excluded lawyers. Allocates, checks every hard rule, and prints the figures.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduling.booking import (  # noqa: E402
    PRIORITY_BY_URGENCY,
    BookingLawyer,
    BookingProblem,
    BookingRequest,
    BookingSlot,
    allocate,
    broken_rules,
    candidate_slots,
)
from scheduling.common import SolverSettings  # noqa: E402

PROVINCE = timezone(timedelta(hours=8))
FIRST_DAY = date(2025, 3, 3)  # a Monday
AREAS = {  # legal area: how often requests ask for it (lawyers follow the same mix)
    "labour": 16, "marriage_family": 14, "contracts_debts": 14, "company": 10, "housing_property": 9,
    "foreign_investment": 8, "inheritance": 7, "traffic": 6, "consumer": 5, "ip": 5, "medical": 3, "land_rural": 3,
}
URGENCY = {"low": 20, "normal": 50, "high": 22, "critical": 8}
BLOCKS = {"video": (9, 12), "phone": (14, 17)}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PROVINCE)


def block_slots(lawyer: str, day: date, mode: str) -> list[BookingSlot]:
    """A three-hour block cut into 30-minute slots with 10-minute buffers between them."""
    first, last = BLOCKS[mode]
    start, end, slots = local(day, first), local(day, last), []
    while start + timedelta(minutes=30) <= end:
        slots.append(BookingSlot(f"{lawyer}-{day:%m%d}-{start:%H%M}", lawyer, start, start + timedelta(minutes=30),
                                 mode, day))
        start += timedelta(minutes=40)
    return slots


def batch(requests: int, lawyers: int, days: int, seed: int) -> BookingProblem:
    """A seeded, province-like batch."""
    rng = random.Random(seed)
    areas, area_weights = list(AREAS), list(AREAS.values())
    calendar = [FIRST_DAY + timedelta(days=d) for d in range(days)]
    workdays = [day for day in calendar if day.weekday() < 5] or calendar
    staff, slots = [], []
    for i in range(lawyers):
        lid = f"L{i:03d}"
        picked: set[str] = set()
        while len(picked) < rng.randint(1, 4):
            picked.add(rng.choices(areas, area_weights)[0])
        booked = {}
        for day in calendar:
            weekday = day.weekday() < 5
            for mode in BLOCKS:
                if rng.random() < (0.35 if weekday else 0.08):
                    slots += block_slots(lid, day, mode)
                    if rng.random() < 0.3:
                        booked[day] = booked.get(day, 0) + rng.randint(1, 2)
        staff.append(BookingLawyer(lid, frozenset(picked), rng.randint(3, 6), booked))
    by_area: dict[str, list[str]] = {area: [lw.id for lw in staff if area in lw.areas] for area in areas}
    pending = []
    for i in range(requests):
        area = rng.choices(areas, area_weights)[0]
        windows = []
        for _ in range(rng.randint(1, 3)):
            day = rng.choice(workdays if rng.random() < 0.9 else calendar)  # liaisons mostly ask for workdays
            kind = rng.random()
            if kind < 0.3:
                windows.append((local(day, 9), local(day, 12)))
            elif kind < 0.6:
                windows.append((local(day, 14), local(day, 17)))
            elif kind < 0.8:
                windows.append((local(day, 9), local(day, 17)))
            else:
                hour = rng.randint(9, 15)
                windows.append((local(day, hour), local(day, hour + 2)))
        practising = by_area[area] or [staff[0].id]
        own = rng.sample(practising, min(len(practising), rng.randint(1, 2)))
        others = [lid for lid in practising if lid not in own]
        excluded = rng.sample(others, min(len(others), rng.randint(1, 3))) if rng.random() < 0.15 else []
        pending.append(BookingRequest(
            id=f"R{i:04d}", area=area, mode="video" if rng.random() < 0.6 else "phone",
            priority=PRIORITY_BY_URGENCY[rng.choices(list(URGENCY), list(URGENCY.values()))[0]],
            windows=tuple(windows), own_counsel=frozenset(own), excluded=frozenset(excluded)))
    return BookingProblem(tuple(staff), tuple(slots), tuple(pending))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--lawyers", type=int, default=400)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.monotonic()
    problem = batch(args.requests, args.lawyers, args.days, args.seed)
    made = time.monotonic() - started
    pairs = sum(len(found) for found in candidate_slots(problem).values())
    print(f"instance: {len(problem.requests)} requests, {len(problem.slots)} slots, {len(problem.lawyers)} lawyers, "
          f"{args.days} days, {pairs} suitable (request, slot) pairs; generated in {made:.1f}s")

    def progress(p) -> None:
        print(f"  {p.seconds:6.2f}s  objective {p.objective:.0f}  bound {p.bound:.0f}", flush=True)

    settings = SolverSettings(time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    result = allocate(problem, settings, progress=progress)
    broken = broken_rules(problem, result.allocation)
    total_weight = sum(r.priority for r in problem.requests)
    print(f"status {result.status}, seconds {result.wall_s:.2f}, broken rules {len(broken)}")
    print(f"objective {result.objective}  bound {result.bound}  relative gap {100 * result.gap:.3f}%")
    print(f"served {result.served}/{len(problem.requests)} requests, priority-weighted "
          f"{result.served_weight}/{total_weight}, own counsel {result.own_counsel_count} "
          f"({100 * result.own_counsel_count / max(1, result.served):.1f}% of served)")
    served_by_priority = Counter(r.priority for r in problem.requests if r.id in result.allocation)
    asked_by_priority = Counter(r.priority for r in problem.requests)
    print("served by priority: " + ", ".join(f"{p}: {served_by_priority[p]}/{asked_by_priority[p]}"
                                             for p in sorted(asked_by_priority)))
    print("unallocated: " + ", ".join(f"{n} {reason!r}" for reason, n in Counter(result.unallocated.values())
                                      .most_common()))


if __name__ == "__main__":
    main()
