"""Depth-first branch-and-bound for the GAP on the knapsack Lagrangian bound, to find and prove the optimum of the
small (OR-Library b/c size) problems the whole-model CP-SAT could not close in time.

Each node is the set of pairs still allowed (a job branched on keeps one agent); its bound is the subgradient
ascent of ``gap_lagrange`` warm-started from the parent's prices, and pairs whose forced bound passes the incumbent
are dropped at the node (the same test as at the root). A node whose knapsacks take every job exactly once is an
answer (the bound equals its cost). Branching: a job the knapsacks take zero or several times, fewest allowed agents
first; children in the order of the bound they would have (least first).

The search state lives in arrays, so a caller runs it in chunks of nodes and can stop at its deadline; ub[0] is
shared, so a better answer found elsewhere (the tabu search) prunes the tree at once. ``optimum_reference`` (every
assignment enumerated) is what the tests compare with.
"""
from __future__ import annotations

import itertools

import numpy as np
from numba import njit

from scheduling.matching.gap import GapProblem, gap_cost, gap_is_feasible
from scheduling.matching.gap_lagrange import ascend, forced_values, lagrangian_value

DEPTH, NODES, FINISHED = range(3)  # state[...]
ROOT_ITERATIONS, NODE_ITERATIONS = 300, 200
# first step of a node's ascent (the root's is 1): the parent's prices are near, and a longer first step reaches
# a pruning bound in fewer iterations (c10200, b05200, c20200: 1.0 -> 15 s of nodes, 2.0 -> 9.3 s, 2.5 -> 8.0 s,
# 3.0 -> 7.4 s, 4.0 -> the ascent diverges, no answer in 30 s)
NODE_STEP = 2.5


@njit(cache=True, nogil=True)
def _repair(costs, weights, caps, mask, take, answer):
    """An answer near the knapsacks' (the Lagrangian heuristic): each job to the first agent that took it and still
    has room, the others to the cheapest allowed agent with room (any agent if none), then cheaper shifts. Returns
    its cost, or -1 when a job found no room."""
    m, n = costs.shape
    loads = np.zeros(m, dtype=np.int64)
    answer[:n] = -1
    for j in range(n):
        for i in range(m):
            if take[i, j] and loads[i] + weights[i, j] <= caps[i]:
                answer[j] = i
                loads[i] += weights[i, j]
                break
    for j in range(n):
        if answer[j] >= 0:
            continue
        for anywhere in range(2):
            best = -1
            for i in range(m):
                if (mask[i, j] or anywhere) and loads[i] + weights[i, j] <= caps[i]:
                    if best < 0 or costs[i, j] < costs[best, j]:
                        best = i
            if best >= 0:
                answer[j] = best
                loads[best] += weights[best, j]
                break
        if answer[j] < 0:
            return -1
    cost = 0
    for j in range(n):
        i = answer[j]
        for k in range(m):
            if costs[k, j] < costs[i, j] and loads[k] + weights[k, j] <= caps[k]:
                loads[i] -= weights[i, j]
                loads[k] += weights[k, j]
                i = k
        answer[j] = i
        cost += costs[i, j]
    return cost


@njit(cache=True, nogil=True)
def _evaluate(costs, weights, caps, mask, v, ub, best_assign, order, first_iterations, step):
    """Bound one node (mask: its allowed pairs, v: its prices, updated to the best); drops pairs at the node.
    Returns (job to branch on or -1 when the node is closed, number of children written to order)."""
    m, n = costs.shape
    best_v = v.copy()
    target = ub[0] - 1 + 1e-3
    value = ascend(costs, weights, caps, mask, v.copy(), target, first_iterations, best_v, step)
    v[:] = best_v
    if value > ub[0] - 1 + 1e-6:
        return -1, 0
    take = np.zeros((m, n), dtype=np.int64)
    value = lagrangian_value(costs, weights, caps, mask, v, take)
    cost = _repair(costs, weights, caps, mask, take, order)
    if 0 <= cost < ub[0]:
        ub[0] = cost
        best_assign[:] = order[:n]
    times = take.sum(axis=0)
    if np.all(times == 1):
        cost = 0
        for j in range(n):
            for i in range(m):
                if take[i, j]:
                    order[j] = i  # scratch: the answer
                    cost += costs[i, j]
        if cost < ub[0]:
            ub[0] = cost
            best_assign[:] = order[:n]
        return -1, 0
    forced_in, forced_out, whole = np.zeros((m, n)), np.zeros((m, n)), np.zeros(m)
    forced_values(costs, weights, caps, mask, v, forced_in, forced_out, whole)
    limit = ub[0] - 1 + 1e-6 - value
    for i in range(m):
        for j in range(n):
            if mask[i, j] and whole[i] - forced_in[i, j] > limit:
                mask[i, j] = 0
    allowed = mask.sum(axis=0)
    if np.any(allowed == 0):
        return -1, 0
    if np.all(allowed == 1):
        loads = np.zeros(m, dtype=np.int64)
        cost = 0
        for j in range(n):
            for i in range(m):
                if mask[i, j]:
                    order[j] = i
                    loads[i] += weights[i, j]
                    cost += costs[i, j]
        for i in range(m):
            if loads[i] > caps[i]:
                return -1, 0
        if cost < ub[0]:
            ub[0] = cost
            best_assign[:] = order[:n]
        return -1, 0
    # fewest allowed agents among the jobs the knapsacks disagree on (any open job if they agree on the open ones)
    job, fewest, violated = -1, m + 1, False
    for j in range(n):
        if allowed[j] < 2:
            continue
        bad = times[j] != 1
        if (bad and not violated) or (bad == violated and allowed[j] < fewest):
            job, fewest, violated = j, allowed[j], bad
    count = 0
    for i in range(m):
        if mask[i, job]:
            order[count] = i
            count += 1
    # least bound first: the child most likely to hold a cheaper answer
    penalty = np.empty(count)
    for t in range(count):
        penalty[t] = whole[order[t]] - forced_in[order[t], job]
    ranked = np.argsort(penalty)
    chosen = order[:count].copy()
    for t in range(count):
        order[t] = chosen[ranked[t]]
    return job, count


@njit(cache=True, nogil=True)
def branch_and_bound(costs, weights, caps, masks, prices, jobs, orders, children, next_child, expanded, ub,
                     best_assign, state, node_limit):
    """Run up to node_limit more nodes of the depth-first search whose stack is (masks, prices, jobs, orders,
    children, next_child, expanded)[depth]; state[FINISHED] = 1 once the tree is exhausted (ub[0] is optimal)."""
    done = 0
    while done < node_limit:
        d = state[DEPTH]
        if d < 0:
            state[FINISHED] = 1
            return
        if not expanded[d]:
            first = ROOT_ITERATIONS if state[NODES] == 0 else NODE_ITERATIONS
            step = 1.0 if state[NODES] == 0 else NODE_STEP
            job, count = _evaluate(costs, weights, caps, masks[d], prices[d], ub, best_assign, orders[d], first,
                                   step)
            state[NODES] += 1
            done += 1
            if job < 0:
                state[DEPTH] = d - 1
                continue
            jobs[d], children[d], next_child[d], expanded[d] = job, count, 0, 1
        elif next_child[d] >= children[d]:
            expanded[d] = 0
            state[DEPTH] = d - 1
        else:
            agent = orders[d, next_child[d]]
            next_child[d] += 1
            job = jobs[d]
            masks[d + 1, :, :] = masks[d]
            masks[d + 1, :, job] = 0
            masks[d + 1, agent, job] = 1
            prices[d + 1, :] = prices[d]
            expanded[d + 1] = 0
            state[DEPTH] = d + 1


class BranchAndBound:
    """The stack of one search: start it with the allowed pairs, prices and incumbent, then run it in chunks."""

    def __init__(self, problem: GapProblem, allowed: np.ndarray, v: np.ndarray, incumbent: int,
                 assignment: list[int]):
        m, n = problem.agents, problem.jobs
        self.costs = np.array(problem.costs, dtype=np.int64)
        self.weights = np.array(problem.weights, dtype=np.int64)
        self.caps = np.array(problem.capacities, dtype=np.int64)
        depth = n + 2  # each level branches a job with at least two agents down to one
        self.masks = np.zeros((depth, m, n), dtype=np.int8)
        self.masks[0] = allowed
        self.prices = np.zeros((depth, n))
        self.prices[0] = v
        self.jobs = np.zeros(depth, dtype=np.int64)
        self.orders = np.zeros((depth, max(m, n)), dtype=np.int64)
        self.children = np.zeros(depth, dtype=np.int64)
        self.next_child = np.zeros(depth, dtype=np.int64)
        self.expanded = np.zeros(depth, dtype=np.int64)
        self.ub = np.array([incumbent], dtype=np.int64)
        self.best = np.array(assignment, dtype=np.int64)
        self.state = np.zeros(3, dtype=np.int64)

    @property
    def finished(self) -> bool:
        """True once the tree is exhausted: no answer cheaper than ub exists."""
        return bool(self.state[FINISHED])

    def run(self, nodes: int) -> None:
        """Up to `nodes` more nodes (GIL released)."""
        branch_and_bound(self.costs, self.weights, self.caps, self.masks, self.prices, self.jobs, self.orders,
                         self.children, self.next_child, self.expanded, self.ub, self.best, self.state, nodes)


def memory_cells(problem: GapProblem) -> int:
    """Size of the search's stack of masks (n + 2 levels of m x n)."""
    return (problem.jobs + 2) * problem.agents * problem.jobs


def optimum_reference(problem: GapProblem) -> int | None:
    """Least cost over every feasible assignment (None when there is none): tiny problems only."""
    best = None
    for assignment in itertools.product(range(problem.agents), repeat=problem.jobs):
        if gap_is_feasible(problem, list(assignment)):
            cost = gap_cost(problem, list(assignment))
            best = cost if best is None else min(best, cost)
    return best
