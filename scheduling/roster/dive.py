"""Rosters from column generation's master by price-and-dive.

A dive rounds the master LP (`columns.Master`) to a roster: it fixes each person whose LP choice is already one
row, and the most-chosen row of a few of the people whose choice is split, re-solves the LP warm, prices the
people still split so rows that fit the fixed ones can join, and repeats until every person has one row (the LP
then costs the roster). How far the LP climbs above the bound as people are fixed shows how much of a gap is the
bound's. `lp_roster` is column generation then a dive in one time budget, for the engine to start from.
"""
from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Callable

import numpy as np

from scheduling.roster.columns import EPSILON, Master, Pricer, best_roster, generate
from scheduling.roster.problem import Problem, Roster

GENERATION_SHARE = 0.75  # the share of `lp_roster`'s time for column generation (the dive has the rest)
BOX = 10.0  # lp_roster's box-step: the linking rows' duals within this of the best (as bench/roster_bound.py)
SPLIT_SHARE = 0.1  # the share of the split people whose most-chosen row is fixed at each step (at least one)
PRICING_ROUNDS = 1  # pricing rounds of the split people between two fixing steps
ENDGAME = 20  # at most this many people split: CP-SAT chooses their rows from the pool, the others as the LP has them
ENDGAME_SECONDS = 10.0  # CP-SAT's time for the endgame at most


@dataclass
class Rounded:
    """A roster rounded from the master LP, and what column generation proved on the way."""

    roster: Roster | None  # None when neither the generation nor the dive finished in time
    bound: float | None  # proven lower bound on every roster's cost (None: not proven in time)
    converged: bool  # the LP was optimal over every valid row: the bound is the LP's own


def lp_roster(problem: Problem, seconds: float, *, start: Roster | None = None, workers: int = 1,
              generation: float = GENERATION_SHARE) -> Rounded:
    """Column generation with the exact pricer (from the rows of `start`, when given) for a `generation` share of
    the seconds, then a dive from its master in what is left: a roster for the engine to start from or to
    improve on, and a proven bound to report with it."""
    from scheduling.roster.labelling import cheapest_row

    began = time.monotonic()
    result = generate(problem, cheapest_row, generation * seconds, exact=True, start=start, smoothing=0.0,
                      box=BOX, workers=workers)
    left = seconds - (time.monotonic() - began)
    roster = dive(result.master, cheapest_row, left, workers=workers) if left > 0 else None
    return Rounded(roster, result.bound, result.converged)


def choices(master: Master) -> tuple[np.ndarray, np.ndarray]:
    """Each person's most-chosen pooled row in the LP solution (an index into master.pool) and its LP value."""
    values = np.array(master.highs.getSolution().col_value)[master.pool_column]
    best = np.full(len(master.staff), -1, dtype=np.int64)
    most = np.zeros(len(master.staff))
    for n, (i, _row) in enumerate(master.pool):
        if values[n] > most[i]:
            best[i], most[i] = n, values[n]
    return best, most


def fix(master: Master, n: int) -> None:
    """Make pooled row n its person's choice: a lower bound of 1 (the convexity row then excludes the others)."""
    master.highs.changeColBounds(master.pool_column[n], 1.0, master.inf)


def roster_of(master: Master, chosen: np.ndarray) -> Roster:
    """The roster of one pooled row per person."""
    return {person.id: list(master.pool[chosen[i]][1]) for i, person in enumerate(master.staff)}


def dive(master: Master, pricer: Pricer | None, seconds: float, *, share: float = SPLIT_SHARE,
         pricing: int = PRICING_ROUNDS, endgame: int = ENDGAME, workers: int = 1,
         on_step: Callable[[int, float, float], None] | None = None) -> Roster | None:
    """Round the master's LP to a roster (see the module's docstring) within `seconds`; None when time ran out
    first. With no pricer, the dive only fixes (price-and-branch over the pool). Once at most `endgame` people are
    split (after their pricing), CP-SAT picks their rows from the pool, everyone else kept to their LP row, and its
    roster is taken when proven the pool's best in time: the last fixings of a dive are its most costly.
    `on_step(split people, LP value, seconds)` hears each step. The master keeps the rows priced; the fixings are
    undone at the end, so column generation may go on from it."""
    began = time.monotonic()
    master.unbox()
    fixed: list[int] = []  # the pooled rows fixed so far
    try:
        with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as threads:
            return _dive(master, pricer, seconds - (time.monotonic() - began), share, pricing, endgame, workers,
                         threads, fixed, on_step)
    finally:
        for n in fixed:
            master.highs.changeColBounds(master.pool_column[n], 0.0, master.inf)


def _dive(master, pricer, seconds, share, pricing, endgame, workers, threads, fixed: list[int],
          on_step) -> Roster | None:
    """The steps of `dive`; adds to `fixed` each pooled row it fixes."""
    done = np.zeros(len(master.staff), dtype=np.bool_)  # the people fixed
    began = time.monotonic()
    priced = 0  # pricing rounds since the last fixing step
    while True:
        value = master.solve()
        best, most = choices(master)
        split = np.flatnonzero((most < 1 - EPSILON) & ~done)
        if on_step is not None:
            on_step(len(split), value, time.monotonic() - began)
        # once none is split, the people not fixed are priced too: the last fixing may have left them better rows
        pricing_whom = split if len(split) else np.flatnonzero(~done)
        if pricer is not None and len(pricing_whom) and priced < pricing:
            priced += 1
            if master.add_negative(master.price(pricer, pricing_whom, threads), repriced=False):
                continue  # the LP may now choose the new rows: solve again before fixing
        if not len(split):
            return roster_of(master, best)
        left = seconds - (time.monotonic() - began)
        if left <= 0:
            return None
        if len(split) <= endgame:
            kept = {int(i): int(best[i]) for i in np.flatnonzero(most >= 1 - EPSILON)}
            roster = best_roster(master, min(left, ENDGAME_SECONDS), hint=roster_of(master, best), workers=workers,
                                 fixed=kept, proven=True)
            if roster is not None:
                return roster
            endgame = -1  # not proven in time (a poor roster is worse than diving on): dive on without it
        whole = np.flatnonzero(~done & (most >= 1 - EPSILON))
        taken = split[np.argsort(-most[split], kind="stable")][:max(1, math.ceil(share * len(split)))]
        for i in np.concatenate([whole, taken]):
            fix(master, best[i])
            fixed.append(int(best[i]))
            done[i] = True
        priced = 0
