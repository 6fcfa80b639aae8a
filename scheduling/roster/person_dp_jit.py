"""The compiled day-by-day pass of the person-level DP (``person_dp._dp``; its pure-Python twin,
``person_dp._dp_reference``, is what the tests compare it with).

The start runs this pass 20-60 times per person and pass of re-planning: in Python it took about 2 ms on 182 days
x 4 shift types and 10-30 ms on 364 days x 10-32 types, so a start on Curtois instances 21-24 did not finish in a
minute. The states are the Python version's, flattened: off runs 0..ol-1, then working rows k (a run kind and
length, see ``person_dp._links``) x local type s at ``ol + k * n + s``. Back pointers are kept (cheap here), so
the walk back needs no float comparisons.
"""
from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf


@njit(cache=True)
def day_by_day(cost, off_ok, group_of, pred_ok, link_source, link_target, ends, weekend_day, weekend_first, per_weekend,
               off_len, work_len, exempt_len):
    """The cheapest row (local type or -1 per day) under `cost` [days, n] (inf where a type is not allowed) and
    `per_weekend` for each weekend worked; (False, row) when no row meets the day and sequence rules. Types are
    grouped by the types allowed the day before (`group_of`, `pred_ok[group, yesterday's type]`): a group's
    cheapest predecessor is found once, so a day costs links x types x groups, not links x types squared (32 types
    on instance 24: 1.6 ms a pass, 20-80 passes a person)."""
    days, n = cost.shape
    groups = pred_ok.shape[0]
    group_least = np.empty(groups)
    group_arg = np.empty(groups, dtype=np.int64)
    ol, wl, el = off_len, work_len, exempt_len
    states = ol + (wl + el) * n
    value = np.full((days, states), INF)
    back = np.full((days, states), -1, dtype=np.int64)
    if off_ok[0]:
        value[0, ol - 1] = 0.0  # an off run from day 0 is exempt from the minimum
    first = wl if el else 0
    if wl + el:
        charge = per_weekend if weekend_day[0] else 0.0
        for s in range(n):
            value[0, ol + first * n + s] = cost[0, s] + charge
    for d in range(1, days):
        if off_ok[d]:
            for k in ends:
                for t in range(n):
                    v = value[d - 1, ol + k * n + t]
                    if v < value[d, 0]:
                        value[d, 0], back[d, 0] = v, ol + k * n + t
            for m in range(ol):
                target = min(m + 1, ol - 1)
                if value[d - 1, m] < value[d, target]:
                    value[d, target], back[d, target] = value[d - 1, m], m
        start = per_weekend if weekend_day[d] else 0.0
        cont = per_weekend if weekend_first[d] else 0.0
        rested = value[d - 1, ol - 1]
        if wl and rested < INF:
            for s in range(n):
                if cost[d, s] < INF:
                    value[d, ol + s], back[d, ol + s] = rested + cost[d, s] + start, ol - 1
        for i in range(len(link_source)):
            source = ol + link_source[i] * n
            # the cheapest yesterday per group of types with the same allowed predecessors, then each type today
            for g in range(groups):
                least, arg = INF, -1
                for t in range(n):
                    if pred_ok[g, t] and value[d - 1, source + t] < least:
                        least, arg = value[d - 1, source + t], t
                group_least[g], group_arg[g] = least, arg
            for s in range(n):
                g = group_of[s]
                if cost[d, s] == INF or group_arg[g] < 0:
                    continue
                into = ol + link_target[i] * n + s
                v = group_least[g] + cost[d, s] + cont
                if v < value[d, into]:
                    value[d, into], back[d, into] = v, source + group_arg[g]
    row = np.full(days, -1, dtype=np.int64)
    state = 0
    for u in range(states):
        if value[days - 1, u] < value[days - 1, state]:
            state = u
    if value[days - 1, state] == INF:
        return False, row
    for d in range(days - 1, -1, -1):
        row[d] = -1 if state < ol else (state - ol) % n
        state = back[d, state]
    return True, row
