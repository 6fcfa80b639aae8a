"""One person's cheapest schedule by dynamic programming over days, for the constructive start.

Every hard rule of one person's row is either a day-by-day restriction (fixed days off, pins, shift types
with a limit of 0), a rule on neighbouring days (forbidden successions) or on run lengths (maximum and minimum
working days in a row, minimum days off; runs touching the period's ends are exempt from the minimums), or a
limit on a total over the period (minutes, shifts of one type, weekends worked). The first three are exact in
the DP's state: (shift worked today or off, length of the current run, capped where longer runs are alike).
The totals would multiply the states, so they are priced instead (Lagrangian relaxation): each costs a
multiplier per unit, adjusted over a few rounds by the sign of its violation, and the cheapest schedule that
meets every limit is kept. Equal prices (every empty seat alike) make many days switch at once, so prices get a
small random nudge. When a "dive" of rounds ends without a row proven optimal, the next one allows only as many
weekends (days of a type) as the limit, those the closest row liked best, with larger nudges.

Rows returned are checked against the totals, so they are always valid; the DP returns None when no round met
all limits (the caller then falls back to CP-SAT) or when no row can exist. Each pass over the days runs compiled
(``person_dp_jit.py``): placing the 100 people of Curtois instance 21 (182 days, 8 types) took 49 s in Python and
takes 3 s so; 20-60 passes per person.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from scheduling.roster.person_dp_jit import day_by_day
from scheduling.roster.problem import Problem, Staff

INF = float("inf")
ROUNDS = 20  # multiplier adjustments per dive at most
PATIENCE = 4  # rounds without a cheaper valid schedule before a dive stops
DIVES = 3  # when a dive finds no valid row: ban the duties over a limit and dive again
GROW = 1.5  # a multiplier's step grows while its limit stays broken the same way, and halves when it flips
TIE_BREAK = 0.5  # total random nudge of the prices over the period in the first dive (below one unit of weight)
SHAKE = 0.2  # in later dives, each price is nudged by up to this share of a typical price


@dataclass
class _Rules:
    """One person's rules, with shift types as local indices 0..n-1 (only types they may work)."""

    days: int
    shifts: list[int]  # problem shift index of each local type
    minutes: list[int]
    work_ok: list[list[int]]  # local types allowed each day
    off_ok: list[bool]
    preds: list[tuple[tuple[int, ...], list[int]]]  # (types allowed the day before, types they may precede)
    allowed_pairs: set[tuple[int, int]]  # (yesterday's type, today's type) allowed
    work_len: int  # work run lengths tracked: 1..work_len
    saturate: bool  # True: runs longer than work_len are alike (no maximum)
    min_work: int
    exempt_len: int  # lengths of a run touching day 0 that are still below the minimum
    off_len: int  # off run lengths tracked: 1..off_len (off_len means "long enough")
    weekend_day: list[bool]
    weekend_first: list[bool]  # first day of its weekend within the period
    type_limits: dict[int, int]  # local type -> maximum, only where it binds
    min_minutes: int
    max_minutes: float
    max_weekends: int | None  # None when it cannot bind
    weekends: list[list[int]]
    arrays: tuple | None = None  # the rules as the compiled pass reads them (see _arrays); None after _restrict


def cheapest_schedule(problem: Problem, person: Staff, prices: list[list[float]], effort: int = 1,
                      seed: int = 0) -> list[str] | None:
    """The person's cheapest valid row (shift id or "" for off each day) under `prices`, or None.

    ``effort`` multiplies the rounds, the patience and the dives (a second try for a person the first missed).

    ``prices[day][k]`` is the cost change of giving the person ``problem.shifts[k]`` on that day instead of the
    day off. None means the DP found no row meeting all of the person's hard rules (perhaps none exists).
    """
    rules = _rules(problem, person)
    if rules is None:
        return None
    base = [[prices[d][k] for k in rules.shifts] for d in range(rules.days)]
    scale = _scale(base)
    tie = random.Random(f"{person.id}/{seed}" if seed else person.id)
    multipliers = _Multipliers(rules, scale)
    best, best_cost = None, INF
    for dive in range(DIVES * effort):
        # equal prices make many days switch at the same multiplier, so totals would jump over the limits
        spread = TIE_BREAK / rules.days if dive == 0 else SHAKE * scale
        nudged = np.array([[v + tie.random() * spread for v in day] for day in base], dtype=np.float64)
        row, closest, proven = _dive(rules, base, nudged, multipliers, effort)
        if row is not None and _cost(base, row) < best_cost:
            best, best_cost = row, _cost(base, row)
        if proven or closest is None:
            break
        _restrict(rules, base, closest)
    if best is None:
        return None
    return [problem.shifts[rules.shifts[s]].id if s >= 0 else "" for s in best]


def _cost(base: list[list[float]], row: list[int]) -> float:
    """What a row (local type or -1 each day) costs under the prices."""
    return sum(base[d][s] for d, s in enumerate(row) if s >= 0)


def _dive(rules: _Rules, base: list[list[float]], nudged: list[list[float]], multipliers: _Multipliers,
          effort: int = 1) -> tuple[list[int] | None, list[int] | None, bool]:
    """Rounds of DP and multiplier steps: (cheapest valid row, the invalid row closest to valid, whether the valid
    row is proven optimal under these rules); rows are None when no round gave one (or the DP found no row)."""
    best, best_cost, stale = None, INF, 0
    closest, least, previous = None, INF, None
    for _ in range(ROUNDS * effort):
        row = _dp(rules, nudged, multipliers.minutes, multipliers.types, multipliers.weekends)
        if row is None:
            return None, None, False  # the day-by-day and sequence rules alone cannot be met
        repeated, previous = row == previous, row
        minutes, counts, weekends = _totals(rules, row)
        excess = _excess(rules, minutes, counts, weekends)
        signs = multipliers.signs(minutes, counts, weekends)
        if not excess:
            cost = _cost(base, row)
            stale = 0 if cost < best_cost else stale + 1
            if cost < best_cost:
                best, best_cost = row, cost
            if not any(signs.values()):
                return best, closest, True  # valid and every priced limit is tight or free
        else:
            stale += best is not None or repeated  # no cheaper valid row, or the multipliers do not move this one
            if excess < least:
                closest, least = row, excess
        if stale >= PATIENCE * effort:
            break
        multipliers.step(signs)
    return best, closest, False


class _Multipliers:
    """The price per unit of each limit on a total (minutes, shifts of a type, weekends) and its step."""

    def __init__(self, rules: _Rules, scale: float):
        self.rules = rules
        self.minutes, self.weekends = 0.0, 0.0
        self.types = {s: 0.0 for s in rules.type_limits}
        self.steps: dict[object, float] = {"m": scale * len(rules.minutes) / max(sum(rules.minutes), 1), "w": scale}
        self.steps.update({s: scale for s in rules.type_limits})
        self.last: dict[object, int] = {}

    def signs(self, minutes: int, counts: list[int], weekends: int) -> dict[object, int]:
        """Which way each multiplier should move: up when its limit is exceeded (for minutes, down when short),
        towards zero when its limit has slack, so that only binding limits keep a price."""
        rules, signs = self.rules, {}
        if rules.min_minutes > 0 or rules.max_minutes < INF:
            low, high = minutes < rules.min_minutes, minutes > rules.max_minutes
            signs["m"] = (1 if high or (self.minutes < 0 and minutes > rules.min_minutes) else
                          -1 if low or (self.minutes > 0 and minutes < rules.max_minutes) else 0)
        for s, limit in rules.type_limits.items():
            signs[s] = 1 if counts[s] > limit else -1 if self.types[s] > 0 and counts[s] < limit else 0
        if rules.max_weekends is not None:
            signs["w"] = (1 if weekends > rules.max_weekends else
                          -1 if self.weekends > 0 and weekends < rules.max_weekends else 0)
        return signs

    def step(self, signs: dict[object, int]) -> None:
        """Move each multiplier by its step; a step grows while the sign repeats and halves when it flips."""
        for key, sign in signs.items():
            if not sign:
                continue
            previous = self.last.get(key)
            self.steps[key] *= GROW if previous == sign else 0.5 if previous == -sign else 1.0
            self.last[key] = sign
            move = sign * self.steps[key]
            if key == "m":
                self.minutes += move
            elif key == "w":
                self.weekends = max(self.weekends + move, 0.0)
            else:
                self.types[key] = max(self.types[key] + move, 0.0)


def _restrict(rules: _Rules, base: list[list[float]], row: list[int]) -> None:
    """For each weekend or shift-type limit the row breaks, allow only as many weekends (days with that type) as
    the limit, the row's cheapest ones (pinned ones first), so the next dive meets that limit by construction."""
    _, counts, weekends = _totals(rules, row)
    rules.arrays = None  # work_ok changes
    if rules.max_weekends is not None and weekends > rules.max_weekends:
        ranked = sorted(rules.weekends, key=lambda wk: (all(rules.off_ok[d] for d in wk),
                                                        not any(row[d] >= 0 for d in wk),
                                                        sum(base[d][row[d]] for d in wk if row[d] >= 0)))
        for wk in ranked[rules.max_weekends:]:
            for d in wk:
                if rules.off_ok[d]:
                    rules.work_ok[d] = []
    for s, limit in rules.type_limits.items():
        if counts[s] > limit:
            ranked = sorted(range(rules.days), key=lambda d: (rules.off_ok[d], row[d] != s, base[d][s]))
            for d in ranked[limit:]:
                if rules.off_ok[d]:
                    rules.work_ok[d] = [t for t in rules.work_ok[d] if t != s]


def _excess(rules: _Rules, minutes: int, counts: list[int], weekends: int) -> float:
    """How far a row is from meeting the limits on totals (0 when it meets them), in duties."""
    average = sum(rules.minutes) / len(rules.minutes) if rules.minutes else 1
    excess = max(minutes - rules.max_minutes, rules.min_minutes - minutes, 0) / average
    excess += sum(max(counts[s] - limit, 0) for s, limit in rules.type_limits.items())
    if rules.max_weekends is not None:
        excess += max(weekends - rules.max_weekends, 0)
    return excess


def _scale(base: list[list[float]]) -> float:
    """A typical price, the first step of each multiplier (steps then double or halve as needed)."""
    values = [abs(v) for day in base for v in day if v]
    return max(sum(values) / len(values), 1.0) if values else 1.0


def _totals(rules: _Rules, row: list[int]) -> tuple[int, list[int], int]:
    """Minutes worked, shifts of each local type and weekends worked by a row (local type or -1 per day)."""
    counts = [0] * len(rules.shifts)
    for s in row:
        if s >= 0:
            counts[s] += 1
    minutes = sum(c * m for c, m in zip(counts, rules.minutes))
    weekends = sum(1 for days in rules.weekends if any(row[d] >= 0 for d in days))
    return minutes, counts, weekends


def _rules(problem: Problem, person: Staff) -> _Rules | None:
    """The person's rules in the DP's terms, or None when they contradict each other day by day."""
    days = problem.days
    usable = [k for k, s in enumerate(problem.shifts) if person.max_shifts.get(s.id, days) > 0]
    local = {problem.shifts[k].id: i for i, k in enumerate(usable)}
    work_ok = [list(range(len(usable))) for _ in range(days)]
    off_ok = [True] * days
    for day in person.days_off:
        if 0 <= day < days:
            work_ok[day] = []
    pinned: dict[int, str] = {}
    for pin in problem.pins:
        if pin.staff == person.id and 0 <= pin.day < days:  # the model ignores pins outside the period too
            if pinned.setdefault(pin.day, pin.shift) != pin.shift:
                return None  # two different pins on one day
    for day, shift in pinned.items():
        if shift:
            work_ok[day] = [local[shift]] if shift in local and local[shift] in work_ok[day] else []
            off_ok[day] = False
        else:
            work_ok[day] = []
    if any(not off_ok[d] and not work_ok[d] for d in range(days)):
        return None
    if not usable:
        return _finish(problem, person, usable, work_ok, off_ok, {})
    forbidden = problem.forbidden_successions()
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, k in enumerate(usable):
        before = tuple(j for j, h in enumerate(usable) if (problem.shifts[h].id, problem.shifts[k].id) not in forbidden)
        groups.setdefault(before, []).append(i)
    return _finish(problem, person, usable, work_ok, off_ok, groups)


def _finish(problem: Problem, person: Staff, usable: list[int], work_ok: list[list[int]], off_ok: list[bool],
            groups: dict[tuple[int, ...], list[int]]) -> _Rules:
    """Run-length caps, weekends and the limits that can bind (the model skips the same ones)."""
    days = problem.days
    bounded = person.max_consecutive is not None and person.max_consecutive < days
    min_work = max(person.min_consecutive, 1)
    work_len = person.max_consecutive if bounded else min_work
    exempt_len = min(min_work - 1, work_len)
    weekends = problem.weekends()
    weekend_day, weekend_first = [False] * days, [False] * days
    for wk in weekends:
        for d in wk:
            weekend_day[d] = True
        weekend_first[wk[0]] = True
    type_limits = {i: person.max_shifts[problem.shifts[k].id] for i, k in enumerate(usable)
                   if person.max_shifts.get(problem.shifts[k].id, days) < days}
    max_weekends = person.max_weekends
    if max_weekends is not None and max_weekends >= len(weekends):
        max_weekends = None
    pairs = {(b, a) for before, after in groups.items() for b in before for a in after}
    return _Rules(days=days, shifts=usable, minutes=[problem.shifts[k].minutes for k in usable], work_ok=work_ok,
                  off_ok=off_ok, preds=list(groups.items()), allowed_pairs=pairs, work_len=work_len,
                  saturate=not bounded, min_work=min_work, exempt_len=exempt_len,
                  off_len=max(person.min_days_off, 1), weekend_day=weekend_day, weekend_first=weekend_first,
                  type_limits=type_limits, min_minutes=person.min_minutes,
                  max_minutes=INF if person.max_minutes is None else person.max_minutes,
                  max_weekends=max_weekends, weekends=weekends if max_weekends is not None else [])


def _links(rules: _Rules) -> list[tuple[int, int]]:
    """(yesterday's row, today's row) for every way a working day continues a run. Rows 0..work_len-1 hold
    non-exempt runs of length 1..work_len; the next exempt_len rows hold runs from day 0 still below the minimum.
    A run grows by one day, capped when longer runs are alike; an exempt run reaching the minimum becomes normal."""
    wl, el = rules.work_len, rules.exempt_len
    links = []
    for l in range(wl):
        target = l + 1 if l + 1 < wl else (l if rules.saturate else None)
        if target is not None:
            links.append((l, target))
    for l in range(el):
        length = l + 2  # the run's length today
        if length <= el:
            links.append((wl + l, wl + l + 1))
        elif length - 1 < wl:
            links.append((wl + l, length - 1))
    return links


def _dp(rules: _Rules, base: np.ndarray, lam_m: float, lam_t: dict[int, float], lam_w: float) -> list[int] | None:
    """The cheapest row (local type or -1 each day) under prices plus multipliers, or None when none is valid:
    the compiled pass (``person_dp_jit.day_by_day``) on the rules as arrays."""
    if rules.arrays is None:
        rules.arrays = _arrays(rules)
    allowed, group_of, pred_ok, link_source, link_target, ends, off_ok, weekend_day, weekend_first = rules.arrays
    extra = np.array([lam_m * m + lam_t.get(s, 0.0) for s, m in enumerate(rules.minutes)], dtype=np.float64)
    cost = np.where(allowed, np.asarray(base, dtype=np.float64).reshape(allowed.shape) + extra, INF)
    found, row = day_by_day(cost, off_ok, group_of, pred_ok, link_source, link_target, ends, weekend_day,
                            weekend_first, lam_w, rules.off_len, rules.work_len, rules.exempt_len)
    return row.tolist() if found else None


def _arrays(rules: _Rules) -> tuple:
    """The rules as the compiled pass reads them: allowed types per day, allowed successions, the links between
    run rows, the rows an off day may follow, and the day flags (built once per person and restriction)."""
    n = len(rules.shifts)
    allowed = np.zeros((rules.days, n), dtype=np.bool_)
    for d, types in enumerate(rules.work_ok):
        allowed[d, types] = True
    group_of = np.zeros(n, dtype=np.int64)
    pred_ok = np.zeros((len(rules.preds), n), dtype=np.bool_)
    for g, (before, after) in enumerate(rules.preds):
        pred_ok[g, list(before)] = True
        group_of[list(after)] = g
    links = np.array(_links(rules), dtype=np.int64).reshape(-1, 2)
    ends = np.array(list(range(rules.min_work - 1, rules.work_len)) +
                    list(range(rules.work_len, rules.work_len + rules.exempt_len)), dtype=np.int64)
    return (allowed, group_of, pred_ok, links[:, 0].copy(), links[:, 1].copy(), ends, np.array(rules.off_ok),
            np.array(rules.weekend_day), np.array(rules.weekend_first))


def _dp_reference(rules: _Rules, base: list[list[float]], lam_m: float, lam_t: dict[int, float],
                  lam_w: float) -> list[int] | None:
    """The same as ``_dp`` in plain Python (the tests compare the two).

    States at the end of a day: off[l] (an off run of length l+1, the last meaning 'long enough') and rows[k][s]
    (working type s in the run kind and length of row k, see _links). No back pointers are kept: the values of
    every day are, and _trace finds a predecessor whose value plus the step's cost gives the same float.
    """
    n, days = len(rules.shifts), rules.days
    extra = [lam_m * m + lam_t.get(s, 0.0) for s, m in enumerate(rules.minutes)]
    wl, el, ol = rules.work_len, rules.exempt_len, rules.off_len
    links = _links(rules)
    ends = list(range(rules.min_work - 1, wl)) + list(range(wl, wl + el))  # rows an off day may follow
    single = len(rules.preds) == 1 and len(rules.preds[0][0]) == n  # no forbidden successions
    off = [INF] * ol
    if rules.off_ok[0]:
        off[ol - 1] = 0.0  # an off run from day 0 is exempt from the minimum
    rows = [[INF] * n for _ in range(wl + el)]
    costs = []
    for d in range(days):
        cost = [INF] * n
        for s in rules.work_ok[d]:
            cost[s] = base[d][s] + extra[s]
        costs.append(cost)
    charge = lam_w if rules.weekend_day[0] else 0.0
    first = wl if el else 0
    if wl + el:
        rows[first] = [c + charge for c in costs[0]]
    history = [(off, rows)]
    for d in range(1, days):
        cost = costs[d]
        new_off = [INF] * ol
        if rules.off_ok[d]:
            new_off[0] = min((min(rows[k], default=INF) for k in ends), default=INF)
            for l in range(ol):
                target = min(l + 1, ol - 1)
                if off[l] < new_off[target]:
                    new_off[target] = off[l]
        new_rows = [[INF] * n for _ in range(wl + el)]
        if rules.work_ok[d]:
            start = lam_w if rules.weekend_day[d] else 0.0
            cont = lam_w if rules.weekend_first[d] else 0.0
            rested = off[ol - 1]
            if wl and rested < INF:
                new_rows[0] = [rested + c + start for c in cost]
            for source, target in links:
                row, out = rows[source], new_rows[target]
                if single:
                    best = min(row)
                    if best < INF:
                        new_rows[target] = [min(o, best + c + cont) for o, c in zip(out, cost)]
                    continue
                for before, after in rules.preds:
                    best = min([row[s] for s in before], default=INF)
                    if best < INF:
                        for s in after:
                            value = best + cost[s] + cont
                            if value < out[s]:
                                out[s] = value
        off, rows = new_off, new_rows
        history.append((off, rows))
    return _trace(rules, history, costs, links, ends, lam_w)


def _trace(rules: _Rules, history: list, costs: list[list[float]], links: list[tuple[int, int]],
           ends: list[int], lam_w: float) -> list[int] | None:
    """Walk back from the cheapest final state (any may end the period), each day to a state whose value plus
    the step's cost equals the later value (the same float sums as the forward pass)."""
    off, rows = history[-1]
    best = min(min(off), min((min(row, default=INF) for row in rows), default=INF))
    if best == INF:
        return None
    state = next((("o", l, 0) for l, v in enumerate(off) if v == best), None) or next(
        ("r", k, s) for k, row in enumerate(rows) for s, v in enumerate(row) if v == best)
    path = [-1] * rules.days
    for d in range(rules.days - 1, 0, -1):
        path[d] = -1 if state[0] == "o" else state[2]
        state = _predecessor(rules, history[d - 1], history[d], costs[d], d, state, links, ends, lam_w)
    path[0] = -1 if state[0] == "o" else state[2]
    return path


def _predecessor(rules: _Rules, before: tuple, after: tuple, cost: list[float], d: int, state: tuple,
                 links: list[tuple[int, int]], ends: list[int], lam_w: float) -> tuple:
    """The state of day d-1 that the forward pass extended to `state` on day d."""
    off, rows = before
    ol = rules.off_len
    kind, l, s = state
    value = after[0][l] if kind == "o" else after[1][l][s]
    if kind == "o":
        if l == 0:
            for k in ends:
                for t, v in enumerate(rows[k]):
                    if v == value:
                        return "r", k, t
        return next(("o", m, 0) for m in range(ol) if min(m + 1, ol - 1) == l and off[m] == value)
    start = lam_w if rules.weekend_day[d] else 0.0
    cont = lam_w if rules.weekend_first[d] else 0.0
    if l == 0 and rules.work_len and off[ol - 1] + cost[s] + start == value:
        return "o", ol - 1, 0
    for source, target in links:
        if target == l:
            for t, v in enumerate(rows[source]):
                if (t, s) in rules.allowed_pairs and v + cost[s] + cont == value:
                    return "r", source, t
    raise AssertionError("no predecessor found")  # the forward pass always leaves one


