"""A proven lower bound on the matching cost, valid for the whole problem (not only the pruned candidates).

Prices on each lawyer's hours, project places and hours above the fair share take the capacity rules out (a
Lagrangian relaxation); then each project independently takes its cheapest priced primary and backup from two
different firms among *all* eligible lawyers (or stays unmatched at the penalty), and the sum of those minima plus
the price constants bounds every matching from below. The different-firms rule stays inside the subproblem: an LP
without it gives both roles to the same cheapest lawyer and bounds about 6% too low (51,895 against 53,572 on the
province instance). The prices come from a compiled deflected subgradient ascent (``lagrangian_prices``);
``lagrangian_bound`` is the plain-Python value of the same function, the reference the tests compare it with.
"""
from __future__ import annotations

import math
import time

import numpy as np
from numba import njit

from scheduling.matching.arrays import MatchArrays
from scheduling.matching.model import UNMATCHED_PENALTY, Candidates, fair_shares, role_hours
from scheduling.matching.problem import MatchingProblem

Prices = tuple[list[float], list[float], list[float]]


ASCENT_CHUNK = 25  # subgradient iterations per compiled call, between deadline checks
STEP = 1.0  # Polyak step scale; halved whenever the bound has not risen for PATIENCE iterations
PATIENCE = 20
DEFLECTION = 0.9  # share of the previous direction kept: plain subgradient steps zigzag and stall ~2% lower


@njit(cache=True, nogil=True)
def dual_value(cost, hours, firm, cap_hours, places, fair_hours, penalty, lam, pi, mu, used_hours, used_places,
               pick):
    """The Lagrangian function at prices (lam per hour, pi per place, mu per hour above the fair share; all >= 0).

    Each project takes its cheapest priced primary and backup from two different firms, or stays out at the
    penalty; used_hours and used_places get the resulting loads and pick the chosen lawyers per key (-1 if out)."""
    n_law = cost.shape[1]
    total = 0.0
    for l in range(n_law):
        total -= lam[l] * cap_hours[l] + pi[l] * places[l] + mu[l] * fair_hours[l]
        used_hours[l] = 0.0
        used_places[l] = 0.0
    for i in range(cost.shape[0] // 2):
        first, first_lawyer, first_firm = np.inf, -1, -1  # cheapest backup
        second, second_lawyer = np.inf, -1  # cheapest backup of another firm than first's
        for l in range(n_law):
            q = cost[2 * i + 1, l] + (lam[l] + mu[l]) * hours[2 * i + 1] + pi[l]
            if q < first:
                if firm[l] != first_firm:
                    second, second_lawyer = first, first_lawyer
                first, first_lawyer, first_firm = q, l, firm[l]
            elif q < second and firm[l] != first_firm:
                second, second_lawyer = q, l
        best, primary, backup = penalty, -1, -1
        for l in range(n_law):
            q = cost[2 * i, l] + (lam[l] + mu[l]) * hours[2 * i] + pi[l]
            if firm[l] != first_firm and q + first < best:
                best, primary, backup = q + first, l, first_lawyer
            elif firm[l] == first_firm and q + second < best:
                best, primary, backup = q + second, l, second_lawyer
        total += best
        pick[2 * i], pick[2 * i + 1] = primary, backup
        if primary >= 0:
            used_hours[primary] += hours[2 * i]
            used_hours[backup] += hours[2 * i + 1]
            used_places[primary] += 1.0
            used_places[backup] += 1.0
    return total


@njit(cache=True, nogil=True)
def ascend(cost, hours, firm, cap_hours, places, fair_hours, balance, penalty, target, iterations, prices,
           direction, best_prices, pick, best, step, stall, patience, deflection):
    """Deflected subgradient steps on the prices (rows lam, pi, mu of `prices`, changed in place).

    The step is Polyak's toward `target` (an upper bound); `best_prices` keeps the prices of the best value.
    `direction` has two more rows and `pick` one entry per key as scratch space, allocated by the caller.
    Returns (best value, step, iterations without a rise), to carry into the next call."""
    n_law = cost.shape[1]
    used_hours = direction[3]  # scratch rows and loops, not numpy calls: numba compiles each one a cold solve meets
    used_places = direction[4]
    lam, pi, mu = prices[0], prices[1], prices[2]
    for _ in range(iterations):
        value = dual_value(cost, hours, firm, cap_hours, places, fair_hours, penalty, lam, pi, mu, used_hours,
                           used_places, pick)
        if value > best + 1e-9:
            best = value
            for l in range(n_law):
                best_prices[0, l], best_prices[1, l], best_prices[2, l] = lam[l], pi[l], mu[l]
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                step *= 0.5
                stall = 0
        norm = 0.0
        for l in range(n_law):
            direction[0, l] = used_hours[l] - cap_hours[l] + deflection * direction[0, l]
            direction[1, l] = used_places[l] - places[l] + deflection * direction[1, l]
            direction[2, l] = used_hours[l] - fair_hours[l] + deflection * direction[2, l]
            # a price at its limit ignores a push beyond it
            if lam[l] <= 0.0 and direction[0, l] < 0.0:
                direction[0, l] = 0.0
            if pi[l] <= 0.0 and direction[1, l] < 0.0:
                direction[1, l] = 0.0
            if (mu[l] <= 0.0 and direction[2, l] < 0.0) or (mu[l] >= balance and direction[2, l] > 0.0):
                direction[2, l] = 0.0
            norm += direction[0, l] ** 2 + direction[1, l] ** 2 + direction[2, l] ** 2
        if norm == 0.0:
            break
        move = step * max(target - value, 1e-6 * abs(target)) / norm
        for l in range(n_law):
            lam[l] = max(0.0, lam[l] + move * direction[0, l])
            pi[l] = max(0.0, pi[l] + move * direction[1, l])
            mu[l] = min(balance, max(0.0, mu[l] + move * direction[2, l]))
    return best, step, stall


def lagrangian_prices(arrays: MatchArrays, target: float, seconds: float, most: int = 600,
                      stop=lambda: False) -> tuple[float, Prices, np.ndarray]:
    """The best Lagrangian bound found by subgradient ascent in about `seconds` (at most `most` iterations, fewer
    once `stop()`), its prices (in the non-positive form of priced_candidates) and each key's subproblem lawyer."""
    n_law = len(arrays.cap)
    places = arrays.places.astype(np.float64)
    prices, direction, best_prices = np.zeros((3, n_law)), np.zeros((5, n_law)), np.zeros((3, n_law))
    pick = np.empty(arrays.cost.shape[0], dtype=np.int64)
    best, step, stall, done, deadline = -np.inf, STEP, 0, 0, None
    while done < most and (deadline is None or (time.monotonic() < deadline and not stop())):
        best, step, stall = ascend(arrays.cost, arrays.hours, arrays.firm, arrays.cap_hours, places,
                                   arrays.fair_hours, arrays.balance, UNMATCHED_PENALTY, target, ASCENT_CHUNK,
                                   prices, direction, best_prices, pick, best, step, stall, PATIENCE, DEFLECTION)
        done += ASCENT_CHUNK
        if deadline is None:  # the first call also compiles (once per install): the seconds count from here
            deadline = time.monotonic() + seconds
    lam, pi, mu = best_prices
    dual_value(arrays.cost, arrays.hours, arrays.firm, arrays.cap_hours, places, arrays.fair_hours,
               UNMATCHED_PENALTY, lam, pi, mu, np.zeros(n_law), np.zeros(n_law), pick)
    return best, (list(-lam), list(-pi), list(-mu)), pick


def _best_pair(problem: MatchingProblem, primaries: list[tuple[int, float]],
               backups: list[tuple[int, float]]) -> float:
    """Cheapest primary + backup from two different firms (inf if none)."""
    by_firm: dict = {}
    for l, cost in backups:
        firm = problem.lawyers[l].firm
        if cost < by_firm.get(firm, math.inf):
            by_firm[firm] = cost
    ranked = sorted(by_firm.items(), key=lambda item: item[1])[:2]
    best = math.inf
    for l, cost in primaries:
        firm = problem.lawyers[l].firm
        for backup_firm, backup_cost in ranked:
            if backup_firm != firm:
                best = min(best, cost + backup_cost)
                break
    return best


def priced_candidates(problem: MatchingProblem, found: Candidates, p: int, prices: Prices, pool: str = "eligible"):
    """A project's candidates per role with their cost plus the priced use of hours, places and fair share."""
    hour_price, place_price, fair_price = prices
    project = problem.projects[p]
    lists = found.eligible if pool == "eligible" else found.pruned
    priced = {}
    for role in ("primary", "backup"):
        hours = role_hours(problem, project, role)
        priced[role] = [(l, cost - (hour_price[l] + fair_price[l]) * hours - place_price[l])
                        for l, cost in lists[p, role]]
    return priced


def priced_costs(arrays: MatchArrays, prices: Prices) -> np.ndarray:
    """Every pair cost plus the priced use of hours, places and fair share (the array form of priced_candidates)."""
    hour_price, place_price, fair_price = (np.asarray(price) for price in prices)
    return arrays.cost - (hour_price + fair_price)[None, :] * arrays.hours[:, None] - place_price[None, :]


def fair_list(problem: MatchingProblem, projects: list[int]) -> list[float]:
    """Fair shares of hours in lawyer order."""
    fair_by_id = fair_shares(problem, [problem.projects[p] for p in projects])
    return [fair_by_id[lw.id] for lw in problem.lawyers]


def lagrangian_bound(problem: MatchingProblem, found: Candidates, projects: list[int], prices: Prices) -> float:
    """Lower bound on the cost of any matching of these projects, from the given (non-positive) prices."""
    fair = fair_list(problem, projects)
    hour_price, place_price, fair_price = prices
    total = sum(hour_price[l] * lw.hours + place_price[l] * lw.max_projects + fair_price[l] * fair[l]
                for l, lw in enumerate(problem.lawyers))
    for p in projects:
        priced = priced_candidates(problem, found, p, prices)
        total += min(UNMATCHED_PENALTY, _best_pair(problem, priced["primary"], priced["backup"]))
    return total
