"""The compiled core of the exact pricing routine (``labelling.py``): a labelling algorithm over days on arrays.

A person's rules arrive as arrays (see ``labelling._arrays``): shift types are indices 0..K-1 and "off" is -1.
A state at the end of a day is the last day's type (off or k) and the length of the current run: off runs are
counted up to the minimum days off (longer ones are alike), working runs up to the maximum run (or, without one,
up to the minimum run). A run that has lasted since day 0 has length day + 1, which is how runs touching the
period's start are told apart (they are exempt from the minimums; runs touching its end always are, since any
state may end the period). A label is a state plus its cost and resources (minutes, shifts of each limited type,
weekends worked) and a pointer to the label it extends.

Labels are extended day by day; a label is dropped when a resource is over its limit, when even the most minutes
the rest of the period allows cannot reach the minimum, when its cost plus the cheapest completion of its state
(a backward DP over the states without the resources) cannot beat the best row known, or when another label of
the same day and state dominates it. A first pass keeps only the few most promising labels per state (a beam),
which gives a valid row to beat; the second pass keeps every label that is not dominated or bounded away, so its
answer (or the beam's row, when nothing beats it) is proven cheapest.
"""
from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf
UNREACHABLE = -(1 << 40)  # "no valid completion" in the most-minutes table


@njit(cache=True)
def _step(d, s, c, allowed, off_ok, succ_ok, co, cw, max_run, min_run, min_off):
    """The state on day d+1 when a row in state s on day d goes on with c (-1: off), or -1 if a rule forbids it."""
    if s < co:  # off, run length s+1
        length = s + 1
        if c < 0:
            if not off_ok[d + 1]:
                return -1
            return min(length + 1, co) - 1
        if not allowed[d + 1, c] or max_run < 1:
            return -1
        if length < min_off and length != d + 1:  # a short day-off run inside the period
            return -1
        return co + c * cw
    k = (s - co) // cw
    length = (s - co) % cw + 1
    if c < 0:
        if not off_ok[d + 1]:
            return -1
        if length < min_run and length != d + 1:  # a short working run inside the period
            return -1
        return 0
    if not allowed[d + 1, c] or not succ_ok[k, c]:
        return -1
    length += 1
    if length > max_run:
        return -1
    return co + c * cw + min(length, cw) - 1


@njit(cache=True)
def completion_tables(cost, minutes, allowed, off_ok, succ_ok, co, cw, max_run, min_run, min_off):
    """For each day and state: the cheapest completion of the row and the most minutes a completion can add,
    under the day, succession and run rules only (inf and UNREACHABLE when no completion is valid)."""
    days, kinds = cost.shape
    states = co + kinds * cw
    low = np.full((days, states), INF)
    most = np.full((days, states), UNREACHABLE, dtype=np.int64)
    low[days - 1, :] = 0.0
    most[days - 1, :] = 0
    for d in range(days - 2, -1, -1):
        for s in range(states):
            for c in range(-1, kinds):
                t = _step(d, s, c, allowed, off_ok, succ_ok, co, cw, max_run, min_run, min_off)
                if t < 0 or low[d + 1, t] == INF:
                    continue
                value = low[d + 1, t] + (cost[d + 1, c] if c >= 0 else 0.0)
                if value < low[d, s]:
                    low[d, s] = value
                gain = most[d + 1, t] + (minutes[c] if c >= 0 else 0)
                if gain > most[d, s]:
                    most[d, s] = gain
    return low, most


@njit(cache=True)
def _dominates(a, b, lcost, lmin, lweek, lcount, room, min_minutes, max_minutes, left_days, left_weekends,
               max_weekends, limits):
    """True when label a is at least as good as label b (same day and state) for every completion: no dearer,
    no more of a limited resource (unless a can no longer reach that limit) and minutes no worse either way."""
    if lcost[a] > lcost[b]:
        return False
    if lmin[a] > lmin[b] and lmin[a] + room > max_minutes:
        return False
    if lmin[a] < lmin[b] and lmin[a] < min_minutes:
        return False
    if lweek[a] > lweek[b] and lweek[a] + left_weekends > max_weekends:
        return False
    for r in range(limits.shape[0]):
        if lcount[a, r] > lcount[b, r] and lcount[a, r] + left_days > limits[r]:
            return False
    return True


@njit(cache=True)
def label_search(cost, minutes, allowed, off_ok, succ_ok, type_slot, limits, weekend, weekends_after, max_weekends,
                 min_minutes, max_minutes, co, cw, max_run, min_run, min_off, low, most, beam, bound):
    """The cheapest row whose cost is below `bound`: (found, cost, type or -1 per day, labels made).

    ``beam`` > 0 keeps at most that many labels per state and day (the cheapest by cost plus completion bound),
    a heuristic; ``beam`` = 0 keeps every label that is not dominated or bounded away, which is exact.
    """
    days, kinds = cost.shape
    states = co + kinds * cw
    slots = max(limits.shape[0], 1)
    size = 1024
    lcost = np.empty(size)
    lstate = np.empty(size, dtype=np.int64)
    lmin = np.empty(size, dtype=np.int64)
    lweek = np.empty(size, dtype=np.int64)
    lpred = np.empty(size, dtype=np.int64)
    lnext = np.empty(size, dtype=np.int64)
    lcount = np.zeros((size, slots), dtype=np.int64)
    head = np.full(states, -1, dtype=np.int64)
    count = np.zeros(states, dtype=np.int64)
    made = 0
    tolerance = 1e-9 * max(1.0, abs(bound)) if bound < INF else 0.0
    for d in range(-1, days - 1):
        new_head = np.full(states, -1, dtype=np.int64)
        new_count = np.zeros(states, dtype=np.int64)
        left_days = days - d - 2  # days after d+1: how many more duties of one type a label may still take
        left_weekends = weekends_after[d + 1]
        for s in range(states if d >= 0 else 1):
            a = head[s] if d >= 0 else -2  # -2: the empty row before day 0
            while a != -1:
                for c in range(-1, kinds):
                    if d < 0:
                        if c < 0:
                            t = 0 if off_ok[0] else -1
                        else:
                            t = co + c * cw if allowed[0, c] and max_run >= 1 else -1
                    else:
                        t = _step(d, s, c, allowed, off_ok, succ_ok, co, cw, max_run, min_run, min_off)
                    if t < 0 or low[d + 1, t] == INF:
                        continue
                    base_cost = lcost[a] if a >= 0 else 0.0
                    value = base_cost + (cost[d + 1, c] if c >= 0 else 0.0)
                    if value + low[d + 1, t] >= bound - tolerance:
                        continue
                    spent = (lmin[a] if a >= 0 else 0) + (minutes[c] if c >= 0 else 0)
                    if spent > max_minutes or spent + most[d + 1, t] < min_minutes:
                        continue
                    worked = (lweek[a] if a >= 0 else 0)
                    if c >= 0 and weekend[d + 1] >= 0 and not (d >= 0 and s >= co and weekend[d] == weekend[d + 1]):
                        worked += 1
                    if worked > max_weekends:
                        continue
                    slot = type_slot[c] if c >= 0 else -1
                    if slot >= 0 and (lcount[a, slot] if a >= 0 else 0) + 1 > limits[slot]:
                        continue
                    if made == size:  # grow the label pool
                        size *= 2
                        lcost = _grow_f(lcost, size)
                        lstate = _grow_i(lstate, size)
                        lmin = _grow_i(lmin, size)
                        lweek = _grow_i(lweek, size)
                        lpred = _grow_i(lpred, size)
                        lnext = _grow_i(lnext, size)
                        grown = np.zeros((size, slots), dtype=np.int64)
                        grown[:made] = lcount[:made]
                        lcount = grown
                    n = made
                    lcost[n] = value
                    lstate[n] = t
                    lmin[n] = spent
                    lweek[n] = worked
                    lpred[n] = a if a >= 0 else -1
                    for r in range(slots):
                        lcount[n, r] = lcount[a, r] if a >= 0 else 0
                    if slot >= 0:
                        lcount[n, slot] += 1
                    # dominance within the bucket of state t on day d+1
                    room = most[d + 1, t]
                    kept = True
                    prev, b = -1, new_head[t]
                    while b != -1:
                        following = lnext[b]
                        if _dominates(b, n, lcost, lmin, lweek, lcount, room, min_minutes, max_minutes,
                                      left_days, left_weekends, max_weekends, limits):
                            kept = False
                            break
                        if _dominates(n, b, lcost, lmin, lweek, lcount, room, min_minutes, max_minutes,
                                      left_days, left_weekends, max_weekends, limits):
                            if prev == -1:
                                new_head[t] = following
                            else:
                                lnext[prev] = following
                            new_count[t] -= 1
                        else:
                            prev = b
                        b = following
                    if not kept:
                        continue
                    if beam > 0 and new_count[t] >= beam:
                        # replace the least promising label of the bucket, if the new one is better
                        worst, worst_prev, worst_key = -1, -1, -INF
                        prev, b = -1, new_head[t]
                        while b != -1:
                            if lcost[b] > worst_key:
                                worst, worst_prev, worst_key = b, prev, lcost[b]
                            prev, b = b, lnext[b]
                        if value >= worst_key:
                            continue
                        if worst_prev == -1:
                            new_head[t] = lnext[worst]
                        else:
                            lnext[worst_prev] = lnext[worst]
                        new_count[t] -= 1
                    lnext[n] = new_head[t]
                    new_head[t] = n
                    new_count[t] += 1
                    made += 1
                a = lnext[a] if a >= 0 else -1
        head, count = new_head, new_count
    best, best_cost = -1, INF
    for s in range(states):
        a = head[s]
        while a != -1:
            if lcost[a] < best_cost:
                best, best_cost = a, lcost[a]
            a = lnext[a]
    row = np.full(days, -1, dtype=np.int64)
    if best < 0:
        return False, INF, row, made
    a, d = best, days - 1
    while a >= 0:
        s = lstate[a]
        row[d] = -1 if s < co else (s - co) // cw
        a, d = lpred[a], d - 1
    return True, best_cost, row, made


@njit(cache=True)
def _grow_f(values, size):
    """A copy of a float array with room for `size` entries."""
    out = np.empty(size)
    out[:values.shape[0]] = values
    return out


@njit(cache=True)
def _grow_i(values, size):
    """A copy of an integer array with room for `size` entries."""
    out = np.empty(size, dtype=np.int64)
    out[:values.shape[0]] = values
    return out
