"""Compiled tabu search for the GAP: shift and swap moves over the whole assignment, capacity excess allowed.

Why compiled: the heuristics that get within ~0.1% of the best known GAP values (tabu search with strategic
oscillation, ejection chains) evaluate millions of moves a second; the CP-SAT LNS of ``gap_solve.py`` alone stalls
on type d/e instances, and a pure-Python search was measured too slow (bench/MATCHING_NOTES.md).

Search: each iteration makes the best non-tabu move -- shift one job to one of its candidate agents (the few with
the least Lagrangian reduced cost) or swap two jobs between their agents -- judged by cost plus, for each agent,
its weight times its load over capacity. The weights oscillate: an agent's weight grows while it is over capacity
and shrinks while it is not, so the search crosses the infeasible region instead of stopping at its border. A job
may not return to an agent it left for a few iterations (unless that gives a feasible answer cheaper than the
best). After a stall the search restarts from the best answer with a few random shifts.

The routines run with the GIL released (``nogil``) so a CP-SAT thread can run beside them; ``best_move_reference``
is the exact pure-Python statement of one iteration's choice that the tests compare with the compiled one.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from scheduling.matching.gap import GapProblem

# counters[...]: the search's scalar state, kept in one array so a chunk of iterations can resume where it stopped
IT, CALM_FROM, COST, EXCESS, BEST_COST = range(5)  # CALM_FROM: iteration of the last new best or restart
NO_MOVE, SHIFT, SWAP = 0, 1, 2
FLOOR = 1.0
SWAP_JOBS = 200


@njit(cache=True, nogil=True, inline="always")
def _over(load, cap):
    """Load above capacity (0 when within)."""
    return load - cap if load > cap else 0


@njit(cache=True, nogil=True)
def shift_delta(costs, weights, caps, loads, alpha, assign, j, k):
    """(change of the penalised value, of the cost, of the total excess) when job j moves to agent k."""
    i = assign[j]
    old_i, old_k = _over(loads[i], caps[i]), _over(loads[k], caps[k])
    new_i, new_k = _over(loads[i] - weights[i, j], caps[i]), _over(loads[k] + weights[k, j], caps[k])
    d_cost = costs[k, j] - costs[i, j]
    value = d_cost + alpha[i] * (new_i - old_i) + alpha[k] * (new_k - old_k)
    return value, d_cost, new_i - old_i + new_k - old_k


@njit(cache=True, nogil=True)
def swap_delta(costs, weights, caps, loads, alpha, assign, j1, j2):
    """(change of the penalised value, of the cost, of the total excess) when jobs j1 and j2 swap agents."""
    i1, i2 = assign[j1], assign[j2]
    old_1, old_2 = _over(loads[i1], caps[i1]), _over(loads[i2], caps[i2])
    new_1 = _over(loads[i1] - weights[i1, j1] + weights[i1, j2], caps[i1])
    new_2 = _over(loads[i2] - weights[i2, j2] + weights[i2, j1], caps[i2])
    d_cost = costs[i2, j1] + costs[i1, j2] - costs[i1, j1] - costs[i2, j2]
    value = d_cost + alpha[i1] * (new_1 - old_1) + alpha[i2] * (new_2 - old_2)
    return value, d_cost, new_1 - old_1 + new_2 - old_2


@njit(cache=True, nogil=True, inline="always")
def _allowed(tabu_free, d_cost, d_excess, counters):
    """A move is allowed when not tabu, or when it gives a feasible answer cheaper than the best (aspiration)."""
    return tabu_free or (counters[EXCESS] + d_excess == 0 and counters[COST] + d_cost < counters[BEST_COST])


@njit(cache=True, nogil=True)
def best_move(costs, weights, caps, cand, rank, assign, loads, alpha, tabu, members, count, counters, swap_from,
              swap_count):
    """The allowed shift or swap with the least penalised value: (kind, job, agent or second job, value).

    Every shift is examined; swaps only from the jobs swap_from, swap_from + 1, ... (swap_count of them, cyclic),
    since all swaps of a large instance cost a hundred times more than all shifts."""
    n = assign.shape[0]
    width = cand.shape[1]
    it = counters[IT]
    every = swap_count >= n
    kind, first, second, best = NO_MOVE, -1, -1, np.inf
    for j in range(n):
        i = assign[j]
        swaps = every or (j - swap_from) % n < swap_count
        for r in range(width):
            k = cand[j, r]
            if k == i:
                continue
            value, d_cost, d_excess = shift_delta(costs, weights, caps, loads, alpha, assign, j, k)
            if value < best and _allowed(tabu[k, j] <= it, d_cost, d_excess, counters):
                kind, first, second, best = SHIFT, j, k, value
            if not swaps:
                continue
            for t in range(count[k]):
                j2 = members[k, t]
                if (every and j2 < j) or rank[i, j2] >= width:
                    continue  # a swap needs each job's new agent among its candidates; all pairs are met twice
                value, d_cost, d_excess = swap_delta(costs, weights, caps, loads, alpha, assign, j, j2)
                free = tabu[k, j] <= it and tabu[i, j2] <= it
                if value < best and _allowed(free, d_cost, d_excess, counters):
                    kind, first, second, best = SWAP, j, j2, value
    return kind, first, second, best


@njit(cache=True, nogil=True)
def _move(weights, assign, loads, members, count, pos, tabu, j, k, until):
    """Job j to agent k, loads and member lists kept; j may not return to the agent it left before `until`."""
    i = assign[j]
    loads[i] -= weights[i, j]
    loads[k] += weights[k, j]
    last = members[i, count[i] - 1]
    members[i, pos[j]] = last
    pos[last] = pos[j]
    count[i] -= 1
    members[k, count[k]] = j
    pos[j] = count[k]
    count[k] += 1
    assign[j] = k
    tabu[i, j] = until


@njit(cache=True, nogil=True)
def _load(costs, weights, caps, source, assign, loads, members, count, pos, counters):
    """Make `source` the current assignment: loads, member lists, cost and excess computed afresh."""
    loads[:] = 0
    count[:] = 0
    cost = 0
    for j in range(source.shape[0]):
        i = source[j]
        assign[j] = i
        loads[i] += weights[i, j]
        members[i, count[i]] = j
        pos[j] = count[i]
        count[i] += 1
        cost += costs[i, j]
    excess = 0
    for i in range(caps.shape[0]):
        excess += _over(loads[i], caps[i])
    counters[COST] = cost
    counters[EXCESS] = excess


@njit(cache=True, nogil=True)
def _restart(costs, weights, caps, cand, assign, loads, members, count, pos, tabu, counters, best, kicks):
    """Back to the best answer, then `kicks` random shifts to candidate agents (made tabu to undo at once)."""
    _load(costs, weights, caps, best, assign, loads, members, count, pos, counters)
    n, width = cand.shape
    for _ in range(kicks):
        j = np.random.randint(n)
        k = cand[j, np.random.randint(width)]
        if k != assign[j]:
            _move(weights, assign, loads, members, count, pos, tabu, j, k, counters[IT] + 2 * kicks)
    _load(costs, weights, caps, assign.copy(), assign, loads, members, count, pos, counters)
    counters[CALM_FROM] = counters[IT]


@njit(cache=True, nogil=True)
def _oscillate(loads, caps, alpha, floor, grow, shrink):
    """Raise the weight of each agent over capacity, lower the others' (not below the agent's floor)."""
    for i in range(caps.shape[0]):
        if loads[i] > caps[i]:
            alpha[i] *= grow
        else:
            alpha[i] = max(floor[i], alpha[i] * shrink)


@njit(cache=True, nogil=True)
def tabu_search(costs, weights, caps, cand, rank, assign, loads, alpha, floor, tabu, members, count, pos, counters,
                best, iterations, knobs, rates, seed):
    """Run `iterations` tabu iterations from the state given; True if `best` (and counters[BEST_COST]) improved.

    knobs = (least tenure, tenure spread, stall before a restart, random shifts per restart, jobs whose swaps
    are examined per iteration);
    rates = (weight growth per iteration over capacity, weight shrink per iteration within)."""
    np.random.seed(seed)
    tenure, spread, stall, kicks = knobs[0], knobs[1], knobs[2], knobs[3]
    n = assign.shape[0]
    improved = False
    for _ in range(iterations):
        it = counters[IT]
        kind, a, b, _value = best_move(costs, weights, caps, cand, rank, assign, loads, alpha, tabu, members,
                                       count, counters, np.random.randint(n), knobs[4])
        until = it + tenure + np.random.randint(spread + 1)
        if kind == SHIFT:
            _, d_cost, d_excess = shift_delta(costs, weights, caps, loads, alpha, assign, a, b)
            _move(weights, assign, loads, members, count, pos, tabu, a, b, until)
        elif kind == SWAP:
            _, d_cost, d_excess = swap_delta(costs, weights, caps, loads, alpha, assign, a, b)
            i1, i2 = assign[a], assign[b]
            _move(weights, assign, loads, members, count, pos, tabu, a, i2, until)
            _move(weights, assign, loads, members, count, pos, tabu, b, i1, until)
        else:
            d_cost, d_excess = 0, 0
        counters[COST] += d_cost
        counters[EXCESS] += d_excess
        counters[IT] = it + 1
        if counters[EXCESS] == 0 and counters[COST] < counters[BEST_COST]:
            best[:] = assign
            counters[BEST_COST] = counters[COST]
            counters[CALM_FROM] = it
            improved = True
        _oscillate(loads, caps, alpha, floor, rates[0], rates[1])
        if kind == NO_MOVE or it - counters[CALM_FROM] > stall:
            _restart(costs, weights, caps, cand, assign, loads, members, count, pos, tabu, counters, best, kicks)
    return improved


class TabuSearch:
    """The arrays of one tabu search over a problem, run in chunks of iterations (so a caller can watch the clock
    and exchange answers with other searches between chunks)."""

    def __init__(self, problem: GapProblem, reduced: list[list[float]], duals: list[float], start: list[int],
                 seed: int = 0, width: int = 10):
        m, n = problem.agents, problem.jobs
        self.costs = np.array(problem.costs, dtype=np.int64)
        self.weights = np.array(problem.weights, dtype=np.int64)
        self.caps = np.array(problem.capacities, dtype=np.int64)
        self.cand, self.rank = candidates(problem, reduced, width)
        self.assign = np.zeros(n, dtype=np.int64)
        self.loads = np.zeros(m, dtype=np.int64)
        self.members = np.zeros((m, n), dtype=np.int64)
        self.count = np.zeros(m, dtype=np.int64)
        self.pos = np.zeros(n, dtype=np.int64)
        self.tabu = np.zeros((m, n), dtype=np.int64)
        self.counters = np.zeros(5, dtype=np.int64)
        self.best = np.array(start, dtype=np.int64)
        # a unit of excess costs at least about the LP's price of a unit of that agent's capacity
        prices = np.array([-min(0.0, u) for u in duals])
        self.floor = FLOOR * (prices + 0.1 * max(1e-3, float(prices.mean())))
        self.alpha = self.floor * 2
        self.knobs = np.array([max(3, n // 40), max(3, n // 40), 4 * n, max(2, n // 100), SWAP_JOBS], dtype=np.int64)
        self.rates = np.array([1.05, 0.999])  # measured on d201600 and d801600
        self.seed = seed
        _load(self.costs, self.weights, self.caps, self.best, self.assign, self.loads, self.members, self.count,
              self.pos, self.counters)
        self.counters[BEST_COST] = self.counters[COST] if self.counters[EXCESS] == 0 else np.iinfo(np.int64).max

    @property
    def best_cost(self) -> int:
        """Cost of the best feasible answer seen (huge if none)."""
        return int(self.counters[BEST_COST])

    def adopt(self, assignment: list[int], cost: int) -> None:
        """Take a better answer found elsewhere as the best; the next restart starts from it."""
        if cost < self.best_cost:
            self.best[:] = assignment
            self.counters[BEST_COST] = cost

    def run(self, iterations: int) -> bool:
        """Run a chunk of iterations (GIL released); True if the best answer improved."""
        self.seed += 1
        return bool(tabu_search(self.costs, self.weights, self.caps, self.cand, self.rank, self.assign, self.loads,
                                self.alpha, self.floor, self.tabu, self.members, self.count, self.pos, self.counters,
                                self.best, iterations, self.knobs, self.rates, self.seed))


def candidates(problem: GapProblem, reduced: list[list[float]], width: int) -> tuple[np.ndarray, np.ndarray]:
    """Each job's `width` agents of least reduced cost among those it fits (repeating the last when fewer fit),
    and rank[i, j] = i's place in job j's list (width when absent)."""
    m, n = problem.agents, problem.jobs
    width = min(width, m)
    cand = np.zeros((n, width), dtype=np.int64)
    rank = np.full((m, n), width, dtype=np.int64)
    for j in range(n):
        fits = sorted((i for i in range(m) if problem.weights[i][j] <= problem.capacities[i]),
                      key=lambda i: (reduced[i][j], i))[:width]
        for r in range(width):
            cand[j, r] = fits[min(r, len(fits) - 1)]
        for r, i in enumerate(fits):
            rank[i, j] = r
    return cand, rank


def best_move_reference(problem: GapProblem, cand: list[list[int]], assign: list[int], alpha: list[float],
                        tabu: list[list[int]], it: int, best_cost: int) -> tuple[float, list[tuple]]:
    """Pure-Python statement of one iteration's choice: the least change of the penalised value over the allowed
    moves (each valued by recomputing cost and excess from scratch) and the moves reaching it (within 1e-9)."""
    here, _, _ = penalised_reference(problem, alpha, assign)
    moves = []
    for j, i in enumerate(assign):
        for k in set(cand[j]) - {i}:
            moves.append((("shift", j, k), [k if t == j else a for t, a in enumerate(assign)], tabu[k][j] <= it))
    for j1, i1 in enumerate(assign):
        for j2, i2 in enumerate(assign):
            if j1 < j2 and i1 != i2 and i2 in cand[j1] and i1 in cand[j2]:
                x = list(assign)
                x[j1], x[j2] = i2, i1
                moves.append((("swap", j1, j2), x, tabu[i2][j1] <= it and tabu[i1][j2] <= it))
    valued = []
    for move, x, free in moves:
        total, cost, excess = penalised_reference(problem, alpha, x)
        if free or (excess == 0 and cost < best_cost):
            valued.append((total - here, move))
    if not valued:
        return np.inf, []
    least = min(v for v, _ in valued)
    return least, [move for v, move in valued if v <= least + 1e-9]


def penalised_reference(problem: GapProblem, alpha: list[float], assign: list[int]) -> tuple[float, int, int]:
    """(cost plus each agent's weight times its excess, cost, total excess) of an assignment, from scratch."""
    loads = [0] * problem.agents
    for j, i in enumerate(assign):
        loads[i] += problem.weights[i][j]
    over = [max(0, load - cap) for load, cap in zip(loads, problem.capacities)]
    cost = sum(problem.costs[i][j] for j, i in enumerate(assign))
    return cost + sum(a * o for a, o in zip(alpha, over)), cost, sum(over)
