"""Shift and swap local search for the province matching: a fast polish between CP-SAT neighbourhood steps.

A shift gives one role of a project to another candidate lawyer with room; a swap exchanges the lawyers of two
roles (of two projects) when each lawyer is a candidate for the other's role. Moves keep every hard rule and are
taken when they lower the cost (pair costs plus workload balance), until no move helps or time runs out.
"""
from __future__ import annotations

import random
import time

from scheduling.matching.model import HOUR_SCALE, Candidates, capacity_units, role_units
from scheduling.matching.problem import MatchingProblem

OTHER = {"primary": "backup", "backup": "primary"}


def polish(problem: MatchingProblem, found: Candidates, chosen: dict, fair: dict, until: float,
           rng: random.Random) -> dict:
    """Improve chosen ((project index, role) -> lawyer index) in place of a copy; returns the copy."""
    chosen = dict(chosen)
    lawyers = problem.lawyers
    firm = [lw.firm for lw in lawyers]
    room = [capacity_units(lw) for lw in lawyers]
    limit = [lw.max_projects for lw in lawyers]
    fair_units = [fair[lw.id] * HOUR_SCALE for lw in lawyers]
    weight = problem.weights.balance / HOUR_SCALE
    cost = {(p, role, l): c for (p, role), pairs in found.pruned.items() for l, c in pairs}
    options = {key: [l for l, _ in pairs] for key, pairs in found.pruned.items()}
    need = {key: role_units(problem, problem.projects[key[0]], key[1]) for key in chosen}
    units, places = [0] * len(lawyers), [0] * len(lawyers)
    held: list[set] = [set() for _ in lawyers]
    for key, l in chosen.items():
        units[l] += need[key]
        places[l] += 1
        held[l].add(key)

    def balance(l: int, change: int) -> float:
        before = units[l] - fair_units[l]
        after = before + change
        return weight * ((after if after > 0 else 0.0) - (before if before > 0 else 0.0))

    def fits_partner(key, l: int) -> bool:
        partner = chosen.get((key[0], OTHER[key[1]]))
        return partner is None or (partner != l and firm[partner] != firm[l])

    def move(key, l: int) -> None:
        old = chosen[key]
        units[old] -= need[key]
        places[old] -= 1
        held[old].discard(key)
        units[l] += need[key]
        places[l] += 1
        held[l].add(key)
        chosen[key] = l

    keys = list(chosen)
    improved = True
    while improved and time.monotonic() < until:
        improved = False
        rng.shuffle(keys)
        for key in keys:
            a = chosen[key]
            here = cost[key[0], key[1], a]
            best, target = -1e-9, None
            for b in options[key]:
                gain = cost[key[0], key[1], b] - here
                if b == a or gain >= 0 and weight == 0:
                    continue
                if units[b] + need[key] > room[b] or places[b] >= limit[b] or not fits_partner(key, b):
                    continue
                delta = gain + balance(b, need[key]) + balance(a, -need[key])
                if delta < best:
                    best, target = delta, b
            if target is not None:
                move(key, target)
                improved = True
                continue
            if _try_swap(key, a, here, options, cost, chosen, held, units, room, need, balance, fits_partner, move):
                improved = True
                continue
            if _try_eject(key, a, here, options, cost, held, units, places, room, limit, need, balance,
                          fits_partner, move):
                improved = True
    return chosen


def _try_eject(key, a, here, options, cost, held, units, places, room, limit, need, balance, fits_partner,
               move) -> bool:
    """Move `key` to a cheaper lawyer b who has no room, and move one of b's roles on to a lawyer c with room."""
    tried = 0
    for b in options[key]:
        gain = cost[key[0], key[1], b] - here
        if b == a or gain >= 0 or not fits_partner(key, b):
            continue
        tried += 1
        if tried > 3:
            return False
        for other in list(held[b]):
            if other[0] == key[0]:
                continue
            if units[b] - need[other] + need[key] > room[b]:
                continue
            base = gain + balance(b, need[key] - need[other]) + balance(a, -need[key])
            if base >= 0:
                continue
            for c in options[other]:
                if c in (a, b) or units[c] + need[other] > room[c] or places[c] >= limit[c]:
                    continue
                if not fits_partner(other, c):
                    continue
                delta = base + cost[other[0], other[1], c] - cost[other[0], other[1], b] + balance(c, need[other])
                if delta < -1e-9:
                    move(other, c)
                    move(key, b)
                    return True
    return False


def _try_swap(key, a, here, options, cost, chosen, held, units, room, need, balance, fits_partner, move) -> bool:
    """Exchange the lawyer of `key` with the lawyer of another role, if both fit and the cost drops."""
    for b in options[key]:
        gain = cost[key[0], key[1], b] - here
        if b == a or gain >= 0 or not fits_partner(key, b):
            continue
        for other in list(held[b]):
            if other[0] == key[0] or (other[0], other[1], a) not in cost:
                continue
            change = need[other] - need[key]
            if units[a] + change > room[a] or units[b] - change > room[b]:
                continue
            if not fits_partner(other, a):
                continue
            delta = (gain + cost[other[0], other[1], a] - cost[other[0], other[1], b]
                     + balance(a, change) + balance(b, -change))
            if delta < -1e-9:
                move(key, b)
                move(other, a)
                return True
    return False
