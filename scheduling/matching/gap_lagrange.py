"""Knapsack Lagrangian bound of the GAP and the pairs it rules out, to prove an incumbent optimal.

Relaxing "each job to exactly one agent" with prices v_j leaves one 0/1 knapsack per agent:
L(v) = sum_j v_j - sum_i K_i(v), K_i(v) = max { sum_j (v_j - c_ij) x_ij : sum_j a_ij x_ij <= b_i }. L(v) is a valid
lower bound for every v and at its best is at least the LP bound (the Ross-Soland / Fisher bound); on the OR-Library
b/c 200-job problems it closes most of the gap the LP leaves, which the whole-model CP-SAT could not close in time.

Fixing: with job j forced onto agent i the bound becomes L + K_i - K_i(j in); when that exceeds UB - 1 no answer
cheaper than UB uses the pair, so the pair is dropped (and if forcing j off i exceeds it, j must go to i). Dropped
pairs leave the knapsacks, which raises the bound again; a few rounds shrink the model CP-SAT has to prove.

Why compiled: a bound is m knapsack DPs over the capacities, and the ascent takes hundreds of them. The pure-Python
references (``knapsack_reference``, ``forced_reference``, ``lagrangian_reference``) are what the tests compare with.
"""
from __future__ import annotations

import itertools
import math
import time

import numpy as np
from numba import njit

from scheduling.matching.gap import GapProblem


@njit(cache=True, nogil=True)
def _agent_items(costs, weights, caps, allowed, v, i):
    """Agent i's items worth taking: allowed, fitting, positive profit v_j - c_ij."""
    n = costs.shape[1]
    items = np.empty(n, dtype=np.int64)
    count = 0
    for j in range(n):
        if allowed[i, j] and weights[i, j] <= caps[i] and v[j] - costs[i, j] > 0:
            items[count] = j
            count += 1
    return items[:count]


@njit(cache=True, nogil=True)
def _knapsack(profit, weight, cap, chosen):
    """0/1 knapsack max over the given items (all profits > 0); marks chosen[t] and returns the value."""
    count = profit.shape[0]
    best = np.zeros(cap + 1)
    keep = np.zeros((count, cap + 1), dtype=np.bool_)
    for t in range(count):
        w, p = weight[t], profit[t]
        for c in range(cap, w - 1, -1):
            if best[c - w] + p > best[c]:
                best[c] = best[c - w] + p
                keep[t, c] = True
    c = cap
    for t in range(count - 1, -1, -1):
        chosen[t] = keep[t, c]
        if keep[t, c]:
            c -= weight[t]
    return best[cap]


@njit(cache=True, nogil=True)
def lagrangian_value(costs, weights, caps, allowed, v, take):
    """L(v); take[i, j] = 1 where agent i's knapsack takes job j (inf if a job has no allowed agent)."""
    m, n = costs.shape
    total = 0.0
    for j in range(n):
        total += v[j]
    take[:, :] = 0
    for i in range(m):
        items = _agent_items(costs, weights, caps, allowed, v, i)
        profit = np.empty(items.shape[0])
        weight = np.empty(items.shape[0], dtype=np.int64)
        for t in range(items.shape[0]):
            profit[t] = v[items[t]] - costs[i, items[t]]
            weight[t] = weights[i, items[t]]
        chosen = np.zeros(items.shape[0], dtype=np.bool_)
        total -= _knapsack(profit, weight, caps[i], chosen)
        for t in range(items.shape[0]):
            if chosen[t]:
                take[i, items[t]] = 1
    return total


@njit(cache=True, nogil=True)
def ascend(costs, weights, caps, allowed, v, target, iterations, best_v, step=1.0):
    """Subgradient ascent of L from v toward target (Polyak step, halved after 15 iterations without a rise);
    best_v gets the best prices; returns the best L (inf when some job has no allowed agent)."""
    m, n = costs.shape
    for j in range(n):
        free = False
        for i in range(m):
            if allowed[i, j] and weights[i, j] <= caps[i]:
                free = True
        if not free:
            return np.inf
    take = np.zeros((m, n), dtype=np.int64)
    g = np.zeros(n)
    best, calm = -np.inf, 0
    for _ in range(iterations):
        value = lagrangian_value(costs, weights, caps, allowed, v, take)
        if value > best + 1e-9:
            best, calm = value, 0
            best_v[:] = v
        else:
            calm += 1
            if calm >= 15:
                step, calm = step * 0.5, 0
                if step < 1e-2:
                    break
        norm = 0.0
        for j in range(n):
            g[j] = 1.0
            for i in range(m):
                g[j] -= take[i, j]
            norm += g[j] * g[j]
        if norm == 0.0 or value >= target:
            break  # the knapsacks' answer is a feasible assignment (optimal), or the bound reaches the target
        move = step * max(target - value, 1e-3) / norm
        for j in range(n):
            v[j] += move * g[j]
    return best


@njit(cache=True, nogil=True)
def forced_values(costs, weights, caps, allowed, v, forced_in, forced_out, whole_value):
    """For every pair: agent i's knapsack value with job j forced in (-inf when it cannot be) and forced out;
    whole_value[i] = agent i's knapsack value with nothing forced."""
    m, n = costs.shape
    for i in range(m):
        items = _agent_items(costs, weights, caps, allowed, v, i)
        count, cap = items.shape[0], caps[i]
        # front[t, c]: best of the first t items within c; back[t, c]: best of items t.. within c
        front = np.zeros((count + 1, cap + 1))
        back = np.zeros((count + 1, cap + 1))
        for t in range(count):
            w, p = weights[i, items[t]], v[items[t]] - costs[i, items[t]]
            front[t + 1, :] = front[t, :]
            for c in range(w, cap + 1):
                front[t + 1, c] = max(front[t + 1, c], front[t, c - w] + p)
        for t in range(count - 1, -1, -1):
            w, p = weights[i, items[t]], v[items[t]] - costs[i, items[t]]
            back[t, :] = back[t + 1, :]
            for c in range(w, cap + 1):
                back[t, c] = max(back[t, c], back[t + 1, c - w] + p)
        whole = front[count, cap]
        whole_value[i] = whole
        for j in range(n):
            forced_out[i, j] = whole
            if not allowed[i, j] or weights[i, j] > cap:
                forced_in[i, j] = -np.inf
            else:
                forced_in[i, j] = v[j] - costs[i, j] + front[count, cap - weights[i, j]]
        for t in range(count):
            j, w = items[t], weights[i, items[t]]
            without, inside = 0.0, 0.0
            for c in range(cap + 1):
                without = max(without, front[t, c] + back[t + 1, cap - c])
            for c in range(cap - w + 1):
                inside = max(inside, front[t, c] + back[t + 1, cap - w - c])
            forced_out[i, j] = without
            forced_in[i, j] = v[j] - costs[i, j] + inside


class KnapsackBound:
    """The Lagrangian bound of one problem against an incumbent, and the pairs an improving answer may use."""

    def __init__(self, problem: GapProblem, job_prices: list[float]):
        self.costs = np.array(problem.costs, dtype=np.int64)
        self.weights = np.array(problem.weights, dtype=np.int64)
        self.caps = np.array(problem.capacities, dtype=np.int64)
        self.fitting = (self.weights <= self.caps[:, None]).astype(np.int64)
        self.allowed = self.fitting.copy()
        self.v = np.array(job_prices, dtype=np.float64)
        self.target = -math.inf  # the least `incumbent` tightened against: the pairs dropped hold below it

    def tighten(self, incumbent: int, deadline: float, iterations: int = 300, rounds: int = 6) -> float:
        """Raise the bound and drop the pairs no answer cheaper than `incumbent` can use, a few rounds while pairs
        go; returns the bound (inf: nothing cheaper than the incumbent exists). The incumbent may be a target below
        the best answer known: pairs dropped against a lower target come back when a higher one is asked for."""
        m, n = self.costs.shape
        if incumbent > self.target:
            self.allowed = self.fitting.copy()  # a pair useless below the old target may serve below the new one
        self.target = incumbent
        forced_in, forced_out, whole = np.zeros((m, n)), np.zeros((m, n)), np.zeros(m)
        best_v = self.v.copy()
        bound = -math.inf  # this call's: a bound from the pairs left at another target may not hold at this one
        for _ in range(rounds):
            if time.monotonic() > deadline:
                break
            value = ascend(self.costs, self.weights, self.caps, self.allowed, self.v.copy(), float(incumbent),
                           iterations, best_v)
            bound = max(bound, value)
            self.v = best_v.copy()
            if value > incumbent - 1 + 1e-6:
                return math.inf
            forced_values(self.costs, self.weights, self.caps, self.allowed, self.v, forced_in, forced_out, whole)
            limit = incumbent - 1 + 1e-6 - value
            drop = (self.allowed == 1) & (whole[:, None] - forced_in > limit)
            must = (self.allowed == 1) & (whole[:, None] - forced_out > limit)
            for i, j in zip(*np.nonzero(must)):
                drop[:, j] |= np.arange(m) != i
            if not drop.any():
                break
            self.allowed[drop] = 0
        return bound

    def lift(self, aim: int, iterations: int = 300) -> float:
        """The bound over every fitting pair (pairs dropped before come back), ascended toward `aim`."""
        self.allowed = self.fitting.copy()
        self.target = math.inf
        best_v = self.v.copy()
        value = ascend(self.costs, self.weights, self.caps, self.allowed, self.v.copy(), float(aim), iterations,
                       best_v)
        self.v = best_v
        return value

    def pairs(self) -> list[tuple[int, int]]:
        """The (agent, job) pairs still allowed."""
        return [(int(i), int(j)) for i, j in zip(*np.nonzero(self.allowed))]


# -- pure-Python references (brute force: small cases only) ---------------------------------------------------------
def knapsack_reference(profit: list[float], weight: list[int], cap: int, force: int | None = None,
                       ban: int | None = None) -> float:
    """Best total profit of a subset within cap (with item `force` in, `ban` out; -inf if impossible)."""
    best = -math.inf
    for picks in itertools.product((0, 1), repeat=len(profit)):
        if (force is not None and not picks[force]) or (ban is not None and picks[ban]):
            continue
        if sum(w for w, x in zip(weight, picks) if x) <= cap:
            best = max(best, sum(p for p, x in zip(profit, picks) if x))
    return best


def lagrangian_reference(problem: GapProblem, allowed: list[list[int]], v: list[float]) -> float:
    """L(v) by enumerating every agent's subsets of allowed, fitting jobs."""
    total = sum(v)
    for i in range(problem.agents):
        jobs = [j for j in range(problem.jobs) if allowed[i][j] and problem.weights[i][j] <= problem.capacities[i]]
        total -= knapsack_reference([v[j] - problem.costs[i][j] for j in jobs],
                                    [problem.weights[i][j] for j in jobs], problem.capacities[i])
    return total


def forced_reference(problem: GapProblem, allowed: list[list[int]], v: list[float], i: int, j: int,
                     inside: bool) -> float:
    """Agent i's knapsack value with job j forced in (inside) or out."""
    jobs = [t for t in range(problem.jobs) if allowed[i][t] and problem.weights[i][t] <= problem.capacities[i]]
    if j not in jobs:
        return -math.inf if inside else knapsack_reference(
            [v[t] - problem.costs[i][t] for t in jobs], [problem.weights[i][t] for t in jobs], problem.capacities[i])
    k = jobs.index(j)
    return knapsack_reference([v[t] - problem.costs[i][t] for t in jobs], [problem.weights[i][t] for t in jobs],
                              problem.capacities[i], force=k if inside else None, ban=None if inside else k)
