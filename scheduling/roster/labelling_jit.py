"""The compiled core of the exact pricing routine (``labelling.py``): a labelling algorithm over days on arrays.

A person's rules arrive as arrays (see ``labelling._arrays``): shift types are indices 0..K-1 and "off" is -1.
A state at the end of a day is the last day's type (off or k) and the length of the current run: off runs are
counted up to the minimum days off (longer ones are alike), working runs up to the maximum run (or, without one,
up to the minimum run). A run that has lasted since day 0 has length day + 1, which is how runs touching the
period's start are told apart (they are exempt from the minimums; runs touching its end always are, since any
state may end the period). A label is a state plus its cost and resources (minutes, shifts of each limited type,
weekends worked) and a pointer to the label it extends.

Labels are extended day by day; a label is dropped when a resource is over its limit, when even the most minutes
the rest of the period allows cannot reach the minimum, when another label of the same day and state dominates
it, or when its cost plus a lower bound on its completion cannot beat the best row known. The bounds come from
backward DPs over (day, state): without the resources; with Lagrangian prices on the limits (``dual_bound``, a
few subgradient steps), less what the label's room under each limit can earn back; and over (day, state,
minutes left), exact in the maximum minutes. A first pass keeps only the few most promising labels per state (a
beam ranked by cost plus bound), which gives a valid row to beat; the second pass keeps every label that is not
dominated or bounded away, so its answer (or the beam's row, when nothing beats it) is proven cheapest.
"""
from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf
UNREACHABLE = -(1 << 40)  # "no valid completion" in the most-minutes table


@njit(cache=True, inline="always")
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


@njit(cache=True, inline="always")
def _first(c, allowed, off_ok, co, cw, max_run):
    """The state on day 0 of a row that begins with c (-1: off), or -1 if a rule forbids it."""
    if c < 0:
        return 0 if off_ok[0] else -1
    return co + c * cw if allowed[0, c] and max_run >= 1 else -1


@njit(cache=True, inline="always")
def _onward(low, cost, weekend, per_weekend, d, s, c, t, co):
    """What going from state s on day d with c (-1: off) into state t costs with the cheapest completion after it
    (the table `low`): c's price on day d+1, a new weekend worked, and low[d+1, t]."""
    value = low[d + 1, t] + (cost[d + 1, c] if c >= 0 else 0.0)
    if _new_weekend(d, s, c, weekend, co):
        value += per_weekend
    return value


@njit(cache=True, inline="always")
def _new_weekend(d, s, c, weekend, co):
    """True when working c on day d+1 after state s on day d starts a weekend worked (d = -1: the first day)."""
    return c >= 0 and weekend[d + 1] >= 0 and not (d >= 0 and s >= co and weekend[d] == weekend[d + 1])


@njit(cache=True, nogil=True)
def completion_tables(cost, minutes, weekend, per_weekend, allowed, off_ok, succ_ok, co, cw, max_run, min_run,
                      min_off):
    """For each day and state: the cheapest completion of the row (each weekend worked costing `per_weekend`)
    and the most minutes a completion can add, under the day, succession and run rules only (inf and
    UNREACHABLE when no completion is valid)."""
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
                value = _onward(low, cost, weekend, per_weekend, d, s, c, t, co)
                if value < low[d, s]:
                    low[d, s] = value
                gain = most[d + 1, t] + (minutes[c] if c >= 0 else 0)
                if gain > most[d, s]:
                    most[d, s] = gain
    return low, most


@njit(cache=True, nogil=True)
def _table_row(cost, weekend, per_weekend, low, allowed, off_ok, succ_ok, co, cw, max_run, min_run, min_off):
    """The cheapest row under the table `low` (type or -1 per day) and its priced cost; cost inf when none."""
    days, kinds = cost.shape
    row = np.full(days, -1, dtype=np.int64)
    best, state = INF, -1
    for c in range(-1, kinds):
        t = _first(c, allowed, off_ok, co, cw, max_run)
        if t < 0 or low[0, t] == INF:
            continue
        value = low[0, t] + (cost[0, c] if c >= 0 else 0.0)
        if _new_weekend(-1, 0, c, weekend, co):
            value += per_weekend
        if value < best:
            best, state, row[0] = value, t, c
    if state < 0:
        return row, INF
    for d in range(days - 1):
        least, choice, after = INF, -1, -1
        for c in range(-1, kinds):
            t = _step(d, state, c, allowed, off_ok, succ_ok, co, cw, max_run, min_run, min_off)
            if t < 0 or low[d + 1, t] == INF:
                continue
            value = _onward(low, cost, weekend, per_weekend, d, state, c, t, co)
            if value < least:
                least, choice, after = value, c, t
        row[d + 1], state = choice, after
    return row, best


@njit(cache=True, nogil=True)
def dual_bound(cost, minutes, type_slot, limits, weekend, max_weekends, min_minutes, max_minutes, allowed, off_ok,
               succ_ok, co, cw, max_run, min_run, min_off, no_limit, rounds):
    """Lagrangian multipliers for the limits on totals, by subgradient steps: each limit gets a price per unit
    (minutes may get a negative one, for the minimum) and the backward DP runs on the priced costs. Returns the
    best multipliers (per minute, per limited type, per weekend), their completion table, the bound they prove
    for the whole row, and the cheapest row met on the way that keeps every limit (with its cost; inf if none)."""
    days, kinds = cost.shape
    slots = limits.shape[0]
    scale = max(minutes.sum() / max(kinds, 1), 1.0)  # minutes of a typical duty: multipliers per duty, not minute
    lam, mu, nu = 0.0, np.zeros(slots), 0.0
    best_lam, best_mu, best_nu, best_bound = 0.0, np.zeros(slots), 0.0, -INF
    best_low = np.empty((0, 0))
    feasible_row, feasible_cost = np.full(days, -1, dtype=np.int64), INF
    theta, stale = 1.0, 0
    priced = np.empty_like(cost)
    counts = np.zeros(slots, dtype=np.int64)
    for _ in range(rounds):
        for d in range(days):
            for k in range(kinds):
                priced[d, k] = cost[d, k] + lam / scale * minutes[k] + (mu[type_slot[k]] if type_slot[k] >= 0 else 0.0)
        low, _most = completion_tables(priced, minutes, weekend, nu, allowed, off_ok, succ_ok, co, cw, max_run,
                                       min_run, min_off)
        row, value = _table_row(priced, weekend, nu, low, allowed, off_ok, succ_ok, co, cw, max_run, min_run,
                                min_off)
        if value == INF:
            break  # no row meets the day, succession and run rules
        bound = value - (lam / scale * max_minutes if lam > 0 else lam / scale * min_minutes if lam < 0 else 0.0)
        bound -= nu * max_weekends if max_weekends < no_limit else 0.0
        for r in range(slots):
            bound -= mu[r] * limits[r]
        if bound > best_bound + 1e-9:
            best_lam, best_mu, best_nu, best_bound, best_low, stale = lam, mu.copy(), nu, bound, low, 0
        else:
            stale += 1
            if stale >= 4:
                theta, stale = theta / 2, 0
        spent, worked, true_cost = 0, 0, 0.0
        counts[:] = 0
        for d in range(days):
            c = row[d]
            if c >= 0:
                spent += minutes[c]
                true_cost += cost[d, c]
                if type_slot[c] >= 0:
                    counts[type_slot[c]] += 1
                if _new_weekend(d - 1, (co if d > 0 and row[d - 1] >= 0 else 0), c, weekend, co):
                    worked += 1
        g_min = (spent - max_minutes if spent > max_minutes or (lam > 0 and max_minutes < no_limit) else
                 spent - min_minutes if spent < min_minutes or lam < 0 else 0) / scale
        g_week = worked - max_weekends if max_weekends < no_limit and (worked > max_weekends or nu > 0) else 0
        norm = g_min * g_min + g_week * g_week
        keeps = spent <= max_minutes and spent >= min_minutes and worked <= max_weekends
        for r in range(slots):
            g = counts[r] - limits[r]
            keeps = keeps and g <= 0
            if g > 0 or mu[r] > 0:
                norm += g * g
        if keeps and true_cost < feasible_cost:
            feasible_row, feasible_cost = row.copy(), true_cost
        if norm == 0 or theta < 1e-3:
            break
        gap = feasible_cost - bound if feasible_cost < INF else abs(bound) * 0.1 + 1.0
        step = theta * max(gap, 1e-6) / norm
        new_lam = lam + step * g_min
        lam = 0.0 if new_lam * lam < 0 else new_lam  # crossing zero switches limits: stop at zero first
        if max_minutes >= no_limit and lam > 0 or min_minutes <= 0 and lam < 0:
            lam = 0.0
        nu = max(nu + step * g_week, 0.0)
        for r in range(slots):
            mu[r] = max(mu[r] + step * (counts[r] - limits[r]), 0.0)
    if best_low.shape[0] == 0:
        best_low = np.full((days, co + kinds * cw), INF)
    return best_lam / scale, best_mu, best_nu, best_low, best_bound, feasible_row, feasible_cost


@njit(cache=True, nogil=True)
def minute_tables(cost, units, weekend, per_weekend, budget, allowed, off_ok, succ_ok, co, cw, max_run, min_run,
                  min_off):
    """For each day, state and budget b = 0..budget: the cheapest completion of the row that adds at most b units
    of minutes (``units[k]``: a type's minutes in units of their greatest common divisor), each weekend worked
    costing `per_weekend`; the maximum minutes are then exact in the completion bound, not priced."""
    days, kinds = cost.shape
    states = co + kinds * cw
    low = np.full((days, states, budget + 1), INF)
    low[days - 1, :, :] = 0.0
    for d in range(days - 2, -1, -1):
        for s in range(states):
            for c in range(-1, kinds):
                t = _step(d, s, c, allowed, off_ok, succ_ok, co, cw, max_run, min_run, min_off)
                if t < 0 or low[d + 1, t, budget] == INF:
                    continue
                price = cost[d + 1, c] if c >= 0 else 0.0
                if _new_weekend(d, s, c, weekend, co):
                    price += per_weekend
                use = units[c] if c >= 0 else 0
                for b in range(use, budget + 1):
                    value = low[d + 1, t, b - use] + price
                    if value < low[d, s, b]:
                        low[d, s, b] = value
    return low


@njit(cache=True, inline="always")
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


@njit(cache=True, nogil=True)
def label_search(cost, minutes, allowed, off_ok, succ_ok, type_slot, limits, weekend, weekends_after, max_weekends,
                 min_minutes, max_minutes, co, cw, max_run, min_run, min_off, low, most, lag_low, lam, mu, nu,
                 by_minutes, unit, beam, bound):
    """The cheapest row whose cost is below `bound`: (found, cost, type or -1 per day, labels made).

    ``beam`` > 0 keeps at most that many labels per state and day (the cheapest by cost plus completion bound),
    a heuristic; ``beam`` = 0 keeps every label that is not dominated or bounded away, which is exact. Two
    completion bounds are used: ``low`` (no resources) and ``lag_low``, the table of the priced costs of
    ``dual_bound`` (multipliers ``lam`` per minute, ``mu`` per limited type, ``nu`` per weekend), less what the
    label's remaining room under each limit can earn back; and, when ``by_minutes`` is not empty, the table of
    ``minute_tables`` (priced by ``mu`` and ``nu`` only) at the minutes the label may still add.
    """
    days, kinds = cost.shape
    states = co + kinds * cw
    slots = max(limits.shape[0], 1)
    size = 1024
    lcost = np.empty(size)
    lkey = np.empty(size)  # cost plus the best completion bound: what the beam ranks labels by
    lstate = np.empty(size, dtype=np.int64)
    lmin = np.empty(size, dtype=np.int64)
    lweek = np.empty(size, dtype=np.int64)
    lpred = np.empty(size, dtype=np.int64)
    lnext = np.empty(size, dtype=np.int64)
    lcount = np.zeros((size, slots), dtype=np.int64)
    head = np.full(states, -1, dtype=np.int64)
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
                        t = _first(c, allowed, off_ok, co, cw, max_run)
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
                    if _new_weekend(d, s, c, weekend, co):
                        worked += 1
                    if worked > max_weekends:
                        continue
                    slot = type_slot[c] if c >= 0 else -1
                    if slot >= 0 and (lcount[a, slot] if a >= 0 else 0) + 1 > limits[slot]:
                        continue
                    if made == size:  # grow the label pool
                        size *= 2
                        lcost = _grow_f(lcost, size)
                        lkey = _grow_f(lkey, size)
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
                    if lag_low[d + 1, t] == INF:
                        continue
                    earn = lag_low[d + 1, t] - nu * (max_weekends - worked)
                    if lam > 0:
                        earn -= lam * (max_minutes - spent)
                    elif lam < 0:
                        earn -= lam * max(min_minutes - spent, 0)
                    for r in range(limits.shape[0]):
                        earn -= mu[r] * (limits[r] - lcount[n, r])
                    if value + earn >= bound - tolerance:
                        continue
                    key = value + max(earn, low[d + 1, t])
                    if by_minutes.shape[2] > 0:
                        room_units = min((max_minutes - spent) // unit, by_minutes.shape[2] - 1)
                        earn = by_minutes[d + 1, t, room_units] - nu * (max_weekends - worked)
                        for r in range(limits.shape[0]):
                            earn -= mu[r] * (limits[r] - lcount[n, r])
                        if value + earn >= bound - tolerance:
                            continue
                        key = max(key, value + earn)
                    lkey[n] = key
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
                            if lkey[b] > worst_key:
                                worst, worst_prev, worst_key = b, prev, lkey[b]
                            prev, b = b, lnext[b]
                        if key >= worst_key:
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
        head = new_head
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


@njit(cache=True, nogil=True)
def _grow_f(values, size):
    """A copy of a float array with room for `size` entries."""
    out = np.empty(size)
    out[:values.shape[0]] = values
    return out


@njit(cache=True, nogil=True)
def _grow_i(values, size):
    """A copy of an integer array with room for `size` entries."""
    out = np.empty(size, dtype=np.int64)
    out[:values.shape[0]] = values
    return out
