"""Benchmark: a proven lower bound for the province duty period by column generation, against the engine's roster.

    .venv/bin/python bench/roster_bound.py [--engine-seconds 60] [--seconds 120] [--lawyers 420] [--seed 0]
                                           [--instance N | --duty WEEKS] [--workers 1] [--dive-seconds 0]
                                           [--polish-seconds 0]

Solves the period (`bench/roster_province.py`'s, Curtois instance N, read as `bench/roster_curtois.py` reads
it, or `bench/roster_duty.py`'s generated duty period of --lawyers x WEEKS) with the engine, then runs column
generation from the engine's roster: the master LP in HiGHS (`scheduling/roster/columns.py`) and the exact compiled
pricer (`scheduling/roster/labelling.py`). Prints each round (seconds, LP value, best bound so far, rows added),
then the engine's objective against the bound, and against the bound rounded up (every cost is a whole number).
The first pricing call compiles the pricer (numba caches it on disk for later runs): both the cold and the warm
round times are shown. Then, from the converged (or stopped) master,
a price-and-dive (`scheduling/roster/dive.py`) rounds the LP to a roster, the engine improves it (started from it
as a hint), and the pool's best roster is sought by CP-SAT, hinted with the engine's.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scheduling.common import SolverSettings  # noqa: E402
from scheduling.roster.columns import Round, best_roster, generate  # noqa: E402
from scheduling.roster.dive import dive  # noqa: E402
from scheduling.roster.penalties import evaluate, objective  # noqa: E402
from scheduling.roster.solve import solve  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine-seconds", type=float, default=60)
    parser.add_argument("--seconds", type=float, default=120, help="column generation's time")
    parser.add_argument("--lawyers", type=int, default=420)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--instance", type=int, help="a Curtois instance instead of the province period")
    parser.add_argument("--duty", type=int, metavar="WEEKS", help="a generated duty period of WEEKS weeks instead")
    parser.add_argument("--workers", type=int, default=1, help="threads pricing the people side by side")
    parser.add_argument("--dive-seconds", type=float, default=0, help="then a price-and-dive from the master")
    parser.add_argument("--polish-seconds", type=float, default=0, help="then the engine from the dive's roster")
    parser.add_argument("--smoothing", type=float, default=0.0, help="Wentges' weight of the best duals (0: none)")
    parser.add_argument("--box", type=float, default=10.0,
                        help="keep the duals within this of the best (box-step; 0: no box)")
    parser.add_argument("--pricer", choices=("exact", "dp"), default="exact",
                        help="dp: person_dp's Lagrangian DP (finds rows, proves nothing), as the first experiment did")
    parser.add_argument("--integer-seconds", type=float, default=60,
                        help="then the best roster of the pooled rows (CP-SAT), hinted with the engine's")
    args = parser.parse_args(argv)
    if args.engine_seconds <= 0 or args.seconds <= 0 or args.lawyers < 2:
        parser.error("times must be positive and there must be at least two lawyers")
    if not 0 <= args.smoothing < 1 or args.box < 0 or args.integer_seconds < 0:
        parser.error("--smoothing is from 0 to below 1, --box and --integer-seconds are not negative")

    from scheduling.roster.labelling import cheapest_row
    from scheduling.roster.person_dp import cheapest_schedule

    def dp(problem, person, prices):
        row = cheapest_schedule(problem, person, [list(day) for day in prices])
        if row is None:
            return None
        column = {shift.id: k for k, shift in enumerate(problem.shifts)}
        return row, sum(prices[d][column[s]] for d, s in enumerate(row) if s)

    if args.instance:
        from scheduling.roster.curtois import read_curtois

        from roster_curtois import DEFAULT_DIR

        problem, name = read_curtois(DEFAULT_DIR / f"Instance{args.instance}.txt"), f"Curtois instance {args.instance}"
    elif args.duty:
        from roster_duty import duty_instance

        problem = duty_instance(args.lawyers, args.duty, args.seed)
        name = f"duty period ({args.lawyers} lawyers x {args.duty} weeks, seed {args.seed})"
    else:
        from roster_province import province_problem

        problem, name = province_problem(args.lawyers, args.seed), f"province period ({args.lawyers} lawyers)"
    print(f"== {name}: {len(problem.staff)} people, {problem.days} days, {len(problem.shifts)} shift types")
    started = time.monotonic()
    engine = solve(problem, SolverSettings(args.engine_seconds, 2, args.seed))
    print(f"engine: objective {engine.objective} ({engine.status}, its own bound {engine.stats.bound}) "
          f"in {time.monotonic() - started:.1f} s", flush=True)

    def report(step: Round) -> None:
        bound = "-" if step.bound is None else f"{step.bound:.1f}"
        print(f"  {step.seconds:7.1f} s  LP {step.lp:12.1f}  bound {bound:>10}  added {step.added}", flush=True)

    pricer, exact = (cheapest_row, True) if args.pricer == "exact" else (dp, False)
    result = generate(problem, pricer, args.seconds, exact=exact, start=engine.roster, on_round=report,
                      smoothing=args.smoothing, box=args.box or None, workers=args.workers)
    print(f"column generation: {len(result.rounds)} rounds, {result.columns} rows, "
          f"{'converged' if result.converged else 'stopped by time'}; LP {result.lp:.1f}, "
          f"bound {result.bound if result.bound is None else round(result.bound, 1)}")
    best = engine.objective
    if args.dive_seconds:
        tick = time.monotonic()

        def step(split: int, value: float, seconds: float) -> None:
            print(f"  dive {seconds:7.1f} s  {split} people split  LP {value:.1f}", flush=True)

        dived = dive(result.master, pricer, args.dive_seconds, workers=args.workers, on_step=step)
        if dived is not None:
            cost = objective(evaluate(problem, dived))
            print(f"dive: {cost} in {time.monotonic() - tick:.1f} s (the engine's: {engine.objective})")
            best = min(best, cost)
            if args.polish_seconds:
                polished = solve(problem, SolverSettings(args.polish_seconds, 2, args.seed), hint=dived)
                print(f"the engine from the dive's roster: {polished.objective} in {args.polish_seconds:g} s")
                best = min(best, polished.objective)
    if args.integer_seconds:
        tick = time.monotonic()
        pooled = best_roster(result.master, args.integer_seconds, hint=engine.roster)
        if pooled is not None:
            cost = objective(evaluate(problem, pooled))
            print(f"best roster of the pool: {cost} in {time.monotonic() - tick:.1f} s (the engine's: {engine.objective})")
            best = min(best, cost)
    if result.bound is not None and result.bound > 0:
        # every weight is a whole number, so is every roster's cost: none costs less than the bound rounded up (the
        # 1e-6 keeps a bound of 173.0000001 from the LP's tolerances at 173)
        whole = math.ceil(result.bound - 1e-6)
        for label, value in (("engine", engine.objective), ("best", best)):
            print(f"{label} objective / bound: {value} / {result.bound:.1f} = {value / result.bound:.3f} "
                  f"(gap {100 * (value - result.bound) / value:.1f}%); / the bound rounded up, {whole}: "
                  f"{value / whole:.3f}")
    print(f"total {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
