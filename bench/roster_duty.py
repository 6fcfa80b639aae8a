"""Benchmark the roster engine against plain CP-SAT on generated province-like duty periods.

    .venv/bin/python bench/roster_duty.py [--sizes 100x5,200x5,400x5] [--seeds 0,1,2] [--seconds 60]
                                          [--workers 2] [--quick]

`duty_instance(lawyers, weeks, seed)` builds a deterministic hotline duty period: a day shift (8 h), an evening
shift (6 h), a 12-hour night (20:00-08:00, unpopular) whose minimum rest forbids a day or evening shift the next
day, and a weekend on-call shift; seats per day and shift, some kept for a legal area or a language; personal
limits on minutes, nights, weekends and runs; days off; several shift-on requests per lawyer and some shift-off
requests; fairness within each city.

For each size and seed, in one run and with the same wall-clock time and workers, it solves (a) with the engine
(`scheduling.roster.solve.solve`, normal settings) and (b) with plain CP-SAT on the same full model
(`model.build_model`, no hint; its time limit is what is left of the same seconds after building the model). It
prints the engine's objective and its start (seconds to the first roster and that roster's objective, from the
progress callback), CP-SAT's objective and bound, and the ratio engine / CP-SAT, then the geometric mean of the
ratios per size. Both rosters are re-checked by the tests' independent checker (hard rules and objective) and by
`penalties.evaluate`; a mismatch with the solver's objective is flagged in the check column, and CP-SAT's column
is its roster's recomputed cost. (A CP-SAT solution short of optimal may report a model objective above that
cost: the fairness rule's high/low variables need only bound the counts, so they can be loose.) `--start` also
prints the seats of each shift the start, the engine and CP-SAT left empty (the start's roster is caught by
wrapping `lns.construct`, which it still calls unchanged) and what each search did.
`--quick` runs 40x2 with 10 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ortools.sat.python import cp_model  # noqa: E402

from scheduling.common import Progress, SolverSettings  # noqa: E402
from scheduling.roster import lns  # noqa: E402
from scheduling.roster.model import build_model  # noqa: E402
from scheduling.roster.penalties import by_rule, evaluate, objective  # noqa: E402
from scheduling.roster.problem import Cover, Fairness, Problem, Request, Roster, ShiftType, Staff  # noqa: E402
from scheduling.roster.solve import extract, solve  # noqa: E402

CITIES = ["Shenyang", "Dalian", "Anshan", "Fushun", "Benxi", "Dandong", "Jinzhou", "Yingkou", "Fuxin", "Liaoyang",
          "Panjin", "Tieling", "Chaoyang", "Huludao"]
AREAS = ["labour", "marriage and family", "inheritance", "contracts and debts", "housing", "land", "traffic accidents",
         "medical disputes", "consumer rights", "company", "criminal", "administrative"]
DAY_AREAS = AREAS[:4]  # day seats kept for the busiest legal areas
LANGUAGES = [("Korean", 0.08), ("Mongolian", 0.04), ("English", 0.15), ("Russian", 0.04)]
# general seats per day as a share of the lawyers (weekday, weekend); weekends run on-call and nights only
SEAT_SHARE = {"D": (0.10, 0.0), "E": (0.04, 0.0), "N": (0.0075, 0.0075), "W": (0.0, 0.05)}
UNDER = {"D": 100, "E": 80, "N": 200, "W": 100}  # an empty seat
OVER = {"D": 5, "E": 5, "N": 20, "W": 100}  # one person too many (on-call is never wanted on a weekday)


def duty_shifts() -> list[ShiftType]:
    """Day 08:00-16:00, evening 16:00-22:00, night 20:00-08:00 and weekend on-call 09:00-21:00."""
    return [
        ShiftType("D", 480, 8 * 60, name="day"),
        ShiftType("E", 360, 16 * 60, name="evening"),
        # 11 hours of rest (Problem.min_rest_hours) forbid a day or evening shift the day after a night
        ShiftType("N", 720, 20 * 60, name="night", unpopular=True),
        ShiftType("W", 720, 9 * 60, name="weekend on-call"),
    ]


def duty_instance(lawyers: int, weeks: int, seed: int) -> Problem:
    """A deterministic duty period of `weeks` weeks from a Monday for `lawyers` lawyers (same seed, same problem)."""
    rng = random.Random(f"duty {lawyers}x{weeks} seed {seed}")
    days = 7 * weeks
    start = dt.date(2027, 3, 1)  # a Monday
    staff = []
    for i in range(lawyers):
        areas = frozenset(rng.sample(AREAS, rng.randint(1, 3)))
        languages = frozenset(["Mandarin"] + [name for name, share in LANGUAGES if rng.random() < share])
        off = frozenset(rng.sample(range(days), rng.randint(0, weeks + 1)))
        staff.append(Staff(
            f"L{i:03d}", f"Lawyer {i:03d}", areas, languages,
            max_shifts={"N": max(1, weeks - rng.randint(0, 2)), "W": max(1, weeks // 2)},
            min_minutes=360 * weeks, max_minutes=1440 * weeks,
            max_consecutive=4, min_days_off=rng.choice((1, 1, 2)), max_weekends=max(1, (weeks + 1) // 2),
            days_off=off, group=rng.choice(CITIES)))
    covers = []
    for day in range(days):
        weekend = (start + dt.timedelta(days=day)).weekday() >= 5
        for sid, shares in SEAT_SHARE.items():
            share = shares[weekend]
            need = max(1, round(share * lawyers)) if share else 0
            covers.append(Cover(day, sid, need, UNDER[sid] if need else 0, OVER[sid]))
        if not weekend:
            for area in DAY_AREAS:
                covers.append(Cover(day, "D", 1, 50, 0, area=area))
            covers.append(Cover(day, "D", 1, 40, 0, language="English"))
            covers.append(Cover(day, "E", 1, 60, 0, language="Korean"))
        covers.append(Cover(day, "N", 1, 150, 0, area="criminal"))  # detention calls come at night
    on, off_requests = [], []
    for person in staff:
        free = [d for d in range(days) if d not in person.days_off]
        for day in rng.sample(free, min(len(free), rng.randint(2, 6))):
            weekend = (start + dt.timedelta(days=day)).weekday() >= 5
            shift = rng.choice("WN" if weekend else "DDDEEN")
            on.append(Request(person.id, day, shift, rng.randint(1, 3)))
        for _ in range(rng.randint(0, 3)):
            off_requests.append(Request(person.id, rng.randrange(days), rng.choice("DENW"), rng.randint(1, 3)))
    return Problem(days=days, shifts=duty_shifts(), staff=staff, covers=covers, on_requests=on,
                   off_requests=off_requests, start=start, min_rest_hours=11,
                   fairness=Fairness(duties=1, unpopular=2), name=f"duty {lawyers}x{weeks} seed {seed}")


def load_checker():
    """The independent checker from the tests."""
    spec = importlib.util.spec_from_file_location("roster_checker", ROOT / "tests/scheduling/roster/checker.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(checker, problem: Problem, roster: Roster, reported: float) -> str:
    """'ok', or what disagrees: hard-rule violations, or the checker's / evaluate's objective against the reported."""
    bad = checker.violations(problem, roster)
    recomputed, evaluated = checker.objective(problem, roster), objective(evaluate(problem, roster))
    if not bad and recomputed == evaluated == round(reported):
        return "ok"
    return f"MISMATCH ({len(bad)} violations, reported {reported:g}, checker {recomputed}, evaluate {evaluated})"


def empty_seats(problem: Problem, roster: Roster) -> dict[str, int]:
    """Empty seats per shift id (every seat group counted, as the objective does)."""
    empty = {s.id: 0 for s in problem.shifts}
    for item in evaluate(problem, roster):
        if item.rule == "seat short":
            empty[item.words.params["shift"]] += item.amount
    return empty


def seats(problem: Problem) -> dict[str, int]:
    """Seats to fill per shift id."""
    total = {s.id: 0 for s in problem.shifts}
    for cover in problem.covers:
        total[cover.shift] += cover.requirement
    return total


def run_engine(problem: Problem, seconds: float, workers: int, seed: int) -> dict:
    """The engine with its normal settings; the first progress report is its start."""
    reports: list[Progress] = []
    caught: dict = {}
    construct = lns.construct

    def watched(*args, **kwargs):
        roster = construct(*args, **kwargs)  # unchanged: only keeps the start's roster for the figures
        caught["roster"] = roster
        return roster

    lns.construct = watched
    started = time.monotonic()
    try:
        result = solve(problem, SolverSettings(seconds, workers, seed), on_progress=reports.append)
    finally:
        lns.construct = construct
    first = reports[0] if reports else None
    return {"result": result, "seconds": time.monotonic() - started, "start_s": first.seconds if first else None,
            "start_objective": first.objective if first else None, "start_roster": caught.get("roster"),
            "figures": result.stats.extra}


def run_cpsat(problem: Problem, seconds: float, workers: int, seed: int) -> dict:
    """Plain CP-SAT on the full model: no hint, the same wall-clock seconds (building included)."""
    started = time.monotonic()
    rm = build_model(problem)
    built = time.monotonic() - started
    solver = cp_model.CpSolver()
    SolverSettings(max(seconds - built, 0.1), workers, seed).apply(solver)
    first: list[float] = []

    class First(cp_model.CpSolverSolutionCallback):
        """Note when the first solution came."""

        def on_solution_callback(self) -> None:
            if not first:
                first.extend([time.monotonic() - started, self.objective_value])

    status = solver.solve(rm.model, First())
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {"status": solver.status_name(status), "roster": extract(rm, solver) if found else None,
            "objective": solver.objective_value if found else None, "bound": solver.best_objective_bound,
            "build_s": built, "first": first or None, "seconds": time.monotonic() - started}


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """'100x5,400x5' -> [(100, 5), (400, 5)]."""
    return [tuple(int(n) for n in part.split("x")) for part in text.split(",")]


def geometric_mean(values: list[float]) -> float:
    """The geometric mean of positive values."""
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main() -> int:
    """Run every size and seed, print the table and the geometric means."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("100x5,200x5,400x5"))
    parser.add_argument("--seeds", type=lambda t: [int(s) for s in t.split(",")], default=[0, 1, 2])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="40x2, seed 0, 10 s")
    parser.add_argument("--start", action="store_true", help="print empty seats per shift under each run")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.seeds, args.seconds = [(40, 2)], [0], 10.0
    checker = load_checker()
    print(f"{args.seconds:g} s, {args.workers} workers each; engine = scheduling.roster.solve.solve, "
          f"cp-sat = full model, no hint")
    print(f"{'size':<7}{'seed':>4}{'engine':>8}{'start s':>8}{'start':>8}{'cp-sat':>8}{'bound':>9}{'first s':>8}"
          f"{'ratio':>7}  check (engine / cp-sat)")
    ratios: dict[str, list[float]] = {}
    for lawyers, weeks in args.sizes:
        size = f"{lawyers}x{weeks}"
        for seed in args.seeds:
            problem = duty_instance(lawyers, weeks, seed)
            engine = run_engine(problem, args.seconds, args.workers, seed)
            plain = run_cpsat(problem, args.seconds, args.workers, seed)
            result = engine["result"]
            e_obj = result.objective
            e_check = check(checker, problem, result.roster, e_obj) if result.roster else "no roster"
            if result.roster and result.stats.extra.get("model_objective") not in (None, e_obj):
                e_check += f" (model objective {result.stats.extra['model_objective']:g})"
            # the table shows what CP-SAT's roster costs; its model objective may lie above that (see the docstring)
            c_obj = checker.objective(problem, plain["roster"]) if plain["roster"] else None
            c_check = (check(checker, problem, plain["roster"], plain["objective"]) if plain["roster"]
                       else plain["status"])
            ratio = e_obj / c_obj if e_obj is not None and c_obj else None
            if ratio is not None:
                ratios.setdefault(size, []).append(ratio)

            def show(value, width, form="g"):
                return f"{'-' if value is None else format(value, form):>{width}}"

            print(f"{size:<7}{seed:>4}{show(e_obj, 8)}{show(engine['start_s'], 8, '.1f')}"
                  f"{show(engine['start_objective'], 8, '.0f')}{show(c_obj, 8, '.0f')}{show(plain['bound'], 9, '.0f')}"
                  f"{show(plain['first'] and plain['first'][0], 8, '.1f')}{show(ratio, 7, '.3f')}  "
                  f"{e_check} / {c_check}", flush=True)
            if args.start:
                total = seats(problem)
                parts = [("start", engine["start_roster"]), ("engine", result.roster), ("cp-sat", plain["roster"])]
                words = []
                for label, roster in parts:
                    if roster is not None:
                        empty = empty_seats(problem, roster)
                        words.append(f"{label} " + " ".join(f"{s}:{empty[s]}" for s in total))
                print(f"    empty seats of {' '.join(f'{s}:{n}' for s, n in total.items())}: " + "; ".join(words))
                for label, roster in parts:
                    if roster is not None:
                        rules = by_rule(evaluate(problem, roster)).values()
                        print(f"    {label}: " + ", ".join(entry["words"] for entry in rules))
                e_bound = "-" if result.stats.bound is None else f"{result.stats.bound:.0f}"
                first = "none" if not plain["first"] else f"{plain['first'][0]:.1f} s: {plain['first'][1]:g}"
                print(f"    engine {result.status} in {engine['seconds']:.1f} s, bound {e_bound}, {engine['figures']}")
                print(f"    cp-sat {plain['status']} in {plain['seconds']:.1f} s "
                      f"(model built in {plain['build_s']:.1f} s), "
                      f"first roster {first}", flush=True)
    for size, values in ratios.items():
        print(f"geometric mean ratio engine / cp-sat, {size} ({len(values)} seeds): {geometric_mean(values):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
