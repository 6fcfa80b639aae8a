"""One person's cheapest valid roster row, exactly: the pricing routine of column generation.

``cheapest_row`` meets every hard rule of the person's row as ``model.py`` states it, the limits on totals
included (minutes, shifts per type, weekends), which ``person_dp`` only prices by multipliers. It is a
resource-constrained shortest path over days, solved by labelling with dominance and bounds: the rules are turned
into arrays here and the labelling runs compiled (``labelling_jit.py``; the first call in a fresh cache compiles,
later processes load the compiled code from ``__pycache__``).

``cheapest_row_reference`` solves the same problem by a plain DP over the whole state (every resource, exact run
lengths, no dominance, no bounds); it is slow and used by the tests only.

Measured with ``bench/roster_pricing.py`` on a shared two-core machine (noisy, a factor of two either way): per
person, warm, about 2.5 ms for 35 days x 4 shift types, 17 ms for 182 days x 4, 37 ms (at most ~140 ms) for
Curtois instance 13 (28 days x 18 types, most of it the multipliers' subgradient steps); compiling takes ~10 s
once, loading the cached code ~0.25 s per process.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduling.roster.labelling_jit import completion_tables, dual_bound, label_search, minute_tables
from scheduling.roster.problem import Problem, Staff

BEAM = 4  # labels kept per state and day by the first, heuristic pass that finds a row to beat
MINUTE_TABLE_CELLS = 50_000_000  # days x types x states x minute budget at most for the minutes-exact bound
DUAL_ROUNDS = 40  # subgradient steps at most for the multipliers of the Lagrangian completion bound
NO_LIMIT = 1 << 40


@dataclass
class PersonArrays:
    """A person's rules as the compiled code reads them: shift types are problem.shifts indices, off is -1."""

    minutes: np.ndarray  # [K] minutes of each type
    allowed: np.ndarray  # [days, K] types the day rules (days off, pins, limits of 0) allow
    off_ok: np.ndarray  # [days] a day off allowed (not pinned to a duty)
    succ_ok: np.ndarray  # [K, K] type b allowed the day after type a
    type_slot: np.ndarray  # [K] index of the type's limit in `limits`, or -1 when it has none that binds
    limits: np.ndarray  # [R] the most shifts of each limited type
    weekend: np.ndarray  # [days] index of the day's weekend, or -1
    weekends_after: np.ndarray  # [days] weekends with a day after this one
    max_weekends: int
    min_minutes: int
    max_minutes: int
    off_len: int  # off-run lengths told apart: 1..min days off
    work_len: int  # working-run lengths told apart: 1..max run (or 1..min run when there is no maximum)
    max_run: int
    min_run: int
    min_off: int


def person_arrays(problem: Problem, person: Staff) -> PersonArrays | None:
    """The person's rules as arrays, or None when the pins contradict each other (two on one day)."""
    days, shifts = problem.days, problem.shifts
    index = {s.id: k for k, s in enumerate(shifts)}
    allowed = np.ones((days, len(shifts)), dtype=np.bool_)
    off_ok = np.ones(days, dtype=np.bool_)
    for k, shift in enumerate(shifts):
        if person.max_shifts.get(shift.id, days) <= 0:
            allowed[:, k] = False  # the model's limit of 0 (a pin on such a type is then impossible, as there)
    for day in person.days_off:
        if 0 <= day < days:
            allowed[day, :] = False
    pinned: dict[int, str] = {}
    for pin in problem.pins:
        if pin.staff == person.id and 0 <= pin.day < days:  # the model ignores pins outside the period
            if pinned.setdefault(pin.day, pin.shift) != pin.shift:
                return None
    for day, shift in pinned.items():
        off_ok[day] = shift == ""
        keep = allowed[day].copy()
        allowed[day, :] = False
        if shift in index:
            allowed[day, index[shift]] = keep[index[shift]]
    succ_ok = np.ones((len(shifts), len(shifts)), dtype=np.bool_)
    for before, after in problem.forbidden_successions():
        succ_ok[index[before], index[after]] = False
    limited = [k for k, s in enumerate(shifts) if 0 < person.max_shifts.get(s.id, days) < days]
    type_slot = np.full(len(shifts), -1, dtype=np.int64)
    for slot, k in enumerate(limited):
        type_slot[k] = slot
    limits = np.array([person.max_shifts[shifts[k].id] for k in limited], dtype=np.int64)
    weekends = problem.weekends()
    weekend = np.full(days, -1, dtype=np.int64)
    for i, wk in enumerate(weekends):
        weekend[wk] = i
    weekends_after = np.array([sum(1 for wk in weekends if wk[-1] > d) for d in range(days)], dtype=np.int64)
    max_weekends = person.max_weekends if person.max_weekends is not None else NO_LIMIT
    bounded = person.max_consecutive is not None and person.max_consecutive < days  # as the model skips it
    min_run, min_off = max(person.min_consecutive, 1), max(person.min_days_off, 1)
    return PersonArrays(
        minutes=np.array([s.minutes for s in shifts], dtype=np.int64), allowed=allowed, off_ok=off_ok,
        succ_ok=succ_ok, type_slot=type_slot, limits=limits, weekend=weekend, weekends_after=weekends_after,
        max_weekends=max_weekends, min_minutes=person.min_minutes,
        max_minutes=NO_LIMIT if person.max_minutes is None else person.max_minutes, off_len=min_off,
        work_len=max(person.max_consecutive, 1) if bounded else min_run,
        max_run=person.max_consecutive if bounded else NO_LIMIT, min_run=min_run, min_off=min_off)


def cheapest_row(problem: Problem, person: Staff, prices, arrays: PersonArrays | None = None,
                 stats: dict | None = None) -> tuple[list[str], float] | None:
    """The person's cheapest row valid under all their hard rules, and its cost; None when no valid row exists.

    ``prices[day][k]`` is the cost of working ``problem.shifts[k]`` that day (a list of lists or an array); a day
    off costs 0. The row is proven cheapest (up to a relative 1e-9 of float rounding; exact for integer prices).
    Pass ``arrays`` (from ``person_arrays``) to reuse them between calls; ``stats`` gets the labels made.
    """
    if arrays is None:
        arrays = person_arrays(problem, person)
    if arrays is None:
        return None
    a = arrays
    cost = np.ascontiguousarray(prices, dtype=np.float64)
    rules = (a.allowed, a.off_ok, a.succ_ok, a.off_len, a.work_len, a.max_run, a.min_run, a.min_off)
    low, most = completion_tables(cost, a.minutes, a.weekend, 0.0, *rules)
    search = (cost, a.minutes, a.allowed, a.off_ok, a.succ_ok, a.type_slot, a.limits, a.weekend, a.weekends_after,
              a.max_weekends, a.min_minutes, a.max_minutes, a.off_len, a.work_len, a.max_run, a.min_run, a.min_off,
              low, most)
    no_table = np.empty((0, 0, 0))
    lam, mu, nu, lag_low, _, kept, kept_cost = dual_bound(
        cost, a.minutes, a.type_slot, a.limits, a.weekend, a.max_weekends, a.min_minutes, a.max_minutes, *rules,
        NO_LIMIT, DUAL_ROUNDS)
    by_minutes, unit = no_table, 1
    if a.max_minutes < NO_LIMIT:
        unit = int(np.gcd.reduce(a.minutes)) or 1
        budget = a.max_minutes // unit
        if cost.size * budget * (a.off_len + len(a.minutes) * a.work_len) <= MINUTE_TABLE_CELLS:
            priced = cost + np.where(a.type_slot >= 0, mu[np.maximum(a.type_slot, 0)] if len(mu) else 0.0, 0.0)
            by_minutes = minute_tables(priced, a.minutes // unit, a.weekend, nu, budget, *rules)
    bounds = (lag_low, lam, mu, nu, by_minutes, unit)
    found, value, row, made = label_search(*search, *bounds, BEAM, np.inf)
    if kept_cost < value:
        found, value, row = True, kept_cost, kept
    exact, exact_value, exact_row, exact_made = label_search(*search, *bounds, 0,
                                                             value if found else np.inf)
    if stats is not None:
        stats["labels"] = made + exact_made
    if exact:
        found, value, row = True, exact_value, exact_row
    if not found:
        return None
    ids = [problem.shifts[k].id if k >= 0 else "" for k in row]
    return ids, value


def cheapest_row_reference(problem: Problem, person: Staff, prices) -> tuple[list[str], float] | None:
    """The same answer by an exhaustive DP over (last day's duty, run length, whether the run began on day 0,
    minutes, shifts of each limited type, weekends worked): slow, for the tests."""
    days = problem.days
    choices = []
    for day in range(days):
        options = [""] + ([] if day in person.days_off else [s.id for s in problem.shifts])
        choices.append(options)
    pinned: dict[int, str] = {}
    for pin in problem.pins:
        if pin.staff == person.id and 0 <= pin.day < days:
            if pinned.setdefault(pin.day, pin.shift) != pin.shift:
                return None
            choices[pin.day] = [c for c in choices[pin.day] if c == pin.shift]
    forbidden = problem.forbidden_successions()
    weekend_of = {d: i for i, wk in enumerate(problem.weekends()) for d in wk}
    minutes = {s.id: s.minutes for s in problem.shifts}
    column = {s.id: k for k, s in enumerate(problem.shifts)}
    limited = sorted(person.max_shifts)
    max_minutes = person.max_minutes if person.max_minutes is not None else float("inf")
    max_weekends = person.max_weekends if person.max_weekends is not None else float("inf")
    # state -> (cost, row); the state before day 0 is None
    states: dict = {None: (0.0, [])}
    for day in range(days):
        following: dict = {}
        for state, (value, row) in states.items():
            for shift in choices[day]:
                working = shift != ""
                if state is None:
                    run, from_start, spent, counts, worked = 1, True, 0, (0,) * len(limited), frozenset()
                else:
                    last, run, from_start, spent, counts, worked = state
                    if last and working and (last, shift) in forbidden:
                        continue
                    if working == (last != ""):
                        run += 1
                    else:  # a run ended yesterday, inside the period unless it began on day 0
                        shortest = person.min_consecutive if last else person.min_days_off
                        if not from_start and run < shortest:
                            continue
                        run, from_start = 1, False
                if working:
                    if person.max_consecutive is not None and run > person.max_consecutive:
                        continue
                    spent += minutes[shift]
                    counts = tuple(n + (shift == sid) for n, sid in zip(counts, limited))
                    if day in weekend_of:
                        worked = worked | {weekend_of[day]}
                if spent > max_minutes or len(worked) > max_weekends:
                    continue
                if any(n > person.max_shifts[sid] for n, sid in zip(counts, limited)):
                    continue
                key = (shift, run, from_start, spent, counts, worked)
                price = prices[day][column[shift]] if working else 0.0
                if key not in following or value + price < following[key][0]:
                    following[key] = (value + price, row + [shift])
        states = following
    ends = [(value, row) for state, (value, row) in states.items() if state[3] >= person.min_minutes]
    if not ends:
        return None
    value, row = min(ends, key=lambda end: end[0])
    return row, value
