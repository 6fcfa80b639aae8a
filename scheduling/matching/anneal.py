"""Compiled simulated annealing for the province matching: shift and chain moves over every eligible lawyer.

A shift gives one role of a project to another eligible lawyer with room; a chain gives it to a full lawyer, who
passes one of their roles on to the first role's old lawyer (a swap) or to a third lawyer. Both keep every hard
rule (hours, places, two different firms per project), so every state is a rule-abiding matching; the move's cost
change (pair costs plus workload balance) is computed in O(1) and a worse move is taken with the Metropolis
probability, the temperature falling geometrically over the time given. Millions of moves a second, against
thousands for the CP-SAT steps, and over all eligible lawyers, not the pruned candidates the CP-SAT model sees.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from scheduling.matching.arrays import MatchArrays, balance_per_unit
from scheduling.matching.model import HOUR_SCALE

TEMPERATURE = (2.0, 0.05)  # start and end temperature (cost units); tuned on the province instance
BIAS = 10  # options drawn as int(n * u ** BIAS): 1 is uniform, higher favours the cheap ones
DRAWS = 20  # roles drawn per move (evenly among up to 2**20); the one furthest above its best-ranked lawyer moves
RETRIES = 4  # a drawn lawyer that cannot take the role (its own, the partner's firm, full) is redrawn this often
SHIFT_WHEN_ROOM = 0.8  # share of shifts (against chains) when the drawn lawyer has room
SWAP = 0.7  # share of chains that send the evicted role to the moving role's old lawyer (when allowed)
CHUNK_SECONDS = 0.25  # the compiled loop hands back this often, for progress reports and cancelling
REPORT_SECONDS = 1.0  # at most one progress report a second


@dataclass
class Walk:
    """The annealing state: current and best assignment (lawyer per key, -1 when the project is unmatched)."""

    assign: np.ndarray
    units: np.ndarray
    count: np.ndarray
    held: np.ndarray  # (lawyers, most places + 1) keys each lawyer holds, first count[l] entries
    slot: np.ndarray  # position of each key in its lawyer's row of held
    cost: float
    best: np.ndarray
    best_cost: float
    moves: int = 0


@njit(cache=True, nogil=True, inline='always')
def _balance(units, fair, unit_balance, l, change):
    """Balance cost change when lawyer l's hours change by `change` units."""
    before = units[l] - fair[l]
    after = before + change
    return unit_balance * (max(after, 0.0) - max(before, 0.0))


@njit(cache=True, nogil=True)
def shift_delta(cost, need, firm, cap, places, fair, unit_balance, assign, units, count, k, b):
    """Cost change of giving role k to lawyer b (inf when a rule forbids it)."""
    a = assign[k]
    partner = assign[k ^ 1]
    if a < 0 or b == a or b == partner or firm[b] == firm[partner] or cost[k, b] == np.inf:
        return np.inf
    if units[b] + need[k] > cap[b] or count[b] >= places[b]:
        return np.inf
    return (cost[k, b] - cost[k, a] + _balance(units, fair, unit_balance, b, need[k])
            + _balance(units, fair, unit_balance, a, -need[k]))


@njit(cache=True, nogil=True)
def chain_delta(cost, need, firm, cap, places, fair, unit_balance, assign, units, count, k, j, c):
    """Cost change of giving role k to the lawyer of role j, and role j to lawyer c (inf when a rule forbids it).

    With c the old lawyer of k this is a swap; otherwise j makes room for k and moves on to c."""
    a = assign[k]
    b = assign[j]
    if a < 0 or b < 0 or a == b or c == b or k >> 1 == j >> 1 or cost[k, b] == np.inf or cost[j, c] == np.inf:
        return np.inf
    pk = assign[k ^ 1]
    pj = assign[j ^ 1]
    if b == pk or firm[b] == firm[pk] or c == pj or firm[c] == firm[pj]:
        return np.inf
    if units[b] + need[k] - need[j] > cap[b]:
        return np.inf
    delta = cost[k, b] - cost[k, a] + cost[j, c] - cost[j, b] + _balance(units, fair, unit_balance, b,
                                                                        need[k] - need[j])
    if c == a:
        change = need[j] - need[k]
        if units[a] + change > cap[a]:
            return np.inf
        return delta + _balance(units, fair, unit_balance, a, change)
    if units[c] + need[j] > cap[c] or count[c] >= places[c]:
        return np.inf
    return delta + _balance(units, fair, unit_balance, a, -need[k]) + _balance(units, fair, unit_balance, c, need[j])


@njit(cache=True, nogil=True, inline='always')
def _move(need, assign, units, count, held, slot, k, b):
    """Give role k to lawyer b, keeping loads and the held lists right."""
    a = assign[k]
    last = held[a, count[a] - 1]
    held[a, slot[k]] = last
    slot[last] = slot[k]
    count[a] -= 1
    units[a] -= need[k]
    held[b, count[b]] = k
    slot[k] = count[b]
    count[b] += 1
    units[b] += need[k]
    assign[k] = b


@njit(cache=True, nogil=True, inline='always')
def _pick(opt_start, opt_law, k, bias):
    """A random eligible lawyer for role k, the first ones more often (an integer bias powers by multiplying)."""
    return opt_law[opt_start[k] + int((opt_start[k + 1] - opt_start[k]) * np.random.random() ** bias)]


@njit(cache=True, nogil=True, inline='always')
def _regret(rank, opt_start, opt_law, assign, k):
    """How far role k's lawyer ranks above the role's best-ranked lawyer (-1 when the role has none)."""
    if assign[k] < 0:
        return -1.0
    return rank[k, assign[k]] - rank[k, opt_law[opt_start[k]]]


@njit(cache=True, nogil=True, inline='always')
def _pick_for(opt_start, opt_law, firm, places, cap, count, units, need, k, bias, taken, partner_firm, need_room):
    """A lawyer for role k drawn by rank, redrawn up to RETRIES times while it is `taken`, of the partner's firm or
    (when `need_room`) full; the last draw is returned either way, the move's delta has the final word."""
    b = _pick(opt_start, opt_law, k, bias)
    for _ in range(RETRIES):
        if b != taken and firm[b] != partner_firm and not (
                need_room and (count[b] >= places[b] or units[b] + need[k] > cap[b])):
            break
        b = _pick(opt_start, opt_law, k, bias)
    return b


@njit(cache=True, nogil=True)
def anneal_steps(cost, rank, need, firm, cap, places, fair, unit_balance, opt_start, opt_law, assign, units, count,
                 held, slot, best, current, best_cost, moves, temp_start, temp_end, bias, draws, seed, regrets):
    """`moves` random shift or chain moves at a geometrically falling temperature; returns (current, best) cost.

    Each move starts from the role with the highest regret among `draws` random ones and draws its new lawyer b by
    rank (not its own, not of its partner's firm). A b with room mostly gets a shift; a full b a chain, which evicts
    a random role j of b to k's old lawyer (a swap) or to a lawyer c drawn by rank with room.

    The state arrays change in place; `best` receives the cheapest assignment met."""
    np.random.seed(seed)
    n_keys = assign.shape[0]
    # `regrets` (one per key, the caller's scratch) is kept up to date: the role choice reads it often
    for q in range(n_keys):
        regrets[q] = _regret(rank, opt_start, opt_law, assign, q)
    cooling = (temp_end / temp_start) ** (1.0 / moves)
    temperature = temp_start / cooling
    for _ in range(moves):
        temperature *= cooling
        k = np.random.randint(n_keys)
        bits = 0
        for d in range(draws - 1):
            if d % 3 == 0:  # one random number gives three draws of 20 bits: the generator was the move's cost
                bits = np.random.randint(1 << 60)
            other = ((bits & 0xFFFFF) * n_keys) >> 20
            bits >>= 20
            if regrets[other] > regrets[k]:
                k = other
        a = assign[k]
        if a < 0:
            continue
        b = _pick_for(opt_start, opt_law, firm, places, cap, count, units, need, k, bias, a, firm[assign[k ^ 1]],
                      False)
        if b == a or firm[b] == firm[assign[k ^ 1]]:
            continue
        if count[b] < places[b] and units[b] + need[k] <= cap[b] and np.random.random() < SHIFT_WHEN_ROOM:
            delta = shift_delta(cost, need, firm, cap, places, fair, unit_balance, assign, units, count, k, b)
            j = c = -1
        else:
            if count[b] == 0:
                continue
            j = held[b, np.random.randint(count[b])]
            j_partner_firm = firm[assign[j ^ 1]]
            c = a
            if np.random.random() >= SWAP or cost[j, a] == np.inf or firm[a] == j_partner_firm:
                c = _pick_for(opt_start, opt_law, firm, places, cap, count, units, need, j, bias, b,
                              j_partner_firm, True)
            delta = chain_delta(cost, need, firm, cap, places, fair, unit_balance, assign, units, count, k, j, c)
        if delta == np.inf or (delta > 0 and np.random.random() >= math.exp(-delta / temperature)):
            continue
        _move(need, assign, units, count, held, slot, k, b)
        regrets[k] = _regret(rank, opt_start, opt_law, assign, k)
        if j >= 0:
            _move(need, assign, units, count, held, slot, j, c)
            regrets[j] = _regret(rank, opt_start, opt_law, assign, j)
        current += delta
        if current < best_cost - 1e-9:
            best_cost = current
            for q in range(n_keys):  # a loop: numba compiles an array assignment for longer than a cold solve likes
                best[q] = assign[q]
    return current, best_cost


def options(arrays: MatchArrays, rank: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Eligible lawyers of every key as (start, lawyers) lists, lowest `rank` (default: cost) first."""
    keys, lawyers = np.nonzero(np.isfinite(arrays.cost))
    rank = arrays.cost if rank is None else rank
    order = np.lexsort((rank[keys, lawyers], keys))
    keys, lawyers = keys[order], lawyers[order]
    start = np.searchsorted(keys, np.arange(arrays.cost.shape[0] + 1))
    return start.astype(np.int64), lawyers.astype(np.int64)


def assignment_cost(arrays: MatchArrays, assign: np.ndarray) -> float:
    """Pair costs plus balance of an assignment (unmatched projects are not counted)."""
    taken = assign >= 0
    units = np.bincount(assign[taken], weights=arrays.need[taken], minlength=len(arrays.cap))
    pairs = arrays.cost[np.nonzero(taken)[0], assign[taken]].sum()
    return float(pairs + balance_per_unit(arrays) * np.maximum(units - arrays.fair_hours * HOUR_SCALE, 0.0).sum())


def start_walk(arrays: MatchArrays, assign: np.ndarray) -> Walk:
    """The annealing state of a rule-abiding assignment."""
    assign = assign.astype(np.int64).copy()
    n_law = len(arrays.cap)
    units = np.zeros(n_law, dtype=np.int64)
    count = np.zeros(n_law, dtype=np.int64)
    # one spare column: during a swap a lawyer briefly holds one role more than their maximum
    held = np.zeros((n_law, int(arrays.places.max()) + 1), dtype=np.int64)
    slot = np.zeros(len(assign), dtype=np.int64)
    for k, l in enumerate(assign):
        if l >= 0:
            held[l, count[l]] = k
            slot[k] = count[l]
            count[l] += 1
            units[l] += arrays.need[k]
    cost = assignment_cost(arrays, assign)
    return Walk(assign, units, count, held, slot, cost, assign.copy(), cost)


def anneal(arrays: MatchArrays, walk: Walk, deadline: float, seed: int, stop=lambda: False,
           on_better=None, rank: np.ndarray | None = None) -> Walk:
    """Anneal until the deadline (or `stop()`), calling on_better(best cost) about once a second while the best
    improves, and once at the end if it improved since.

    Moves draw lawyers with a low `rank` most often; ranked by cost plus the bound's prices of hours and places
    (bound.priced_costs) the search ends about 0.7% cheaper than ranked by cost alone: scarce lawyers come last."""
    start_at = time.monotonic()
    span = max(1e-3, deadline - start_at)
    opt_start, opt_law = options(arrays, rank)
    ranking = arrays.cost if rank is None else rank
    fair = arrays.fair_hours * HOUR_SCALE
    unit_balance = balance_per_unit(arrays)
    moves, chunk, reported, last_report = 20_000, 0, walk.best_cost, start_at
    hot, cold = TEMPERATURE
    regrets = np.empty(len(walk.assign))
    while time.monotonic() < deadline and not stop():
        begun = time.monotonic()
        t0 = hot * (cold / hot) ** min(1.0, (begun - start_at) / span)
        t1 = hot * (cold / hot) ** min(1.0, (begun - start_at + CHUNK_SECONDS) / span)
        walk.cost, walk.best_cost = anneal_steps(
            arrays.cost, ranking, arrays.need, arrays.firm, arrays.cap, arrays.places, fair, unit_balance, opt_start,
            opt_law, walk.assign, walk.units, walk.count, walk.held, walk.slot, walk.best, walk.cost,
            walk.best_cost, moves, t0, t1, BIAS, DRAWS, seed + chunk, regrets)
        chunk += 1
        walk.moves += moves
        now = time.monotonic()
        moves = int(min(max(1_000, moves * CHUNK_SECONDS / max(now - begun, 1e-4)), 50_000_000))
        if walk.best_cost < reported - 1e-9 and now - last_report >= REPORT_SECONDS and on_better is not None:
            on_better(walk.best_cost)
            reported, last_report = walk.best_cost, now
    if walk.best_cost < reported - 1e-9 and on_better is not None:
        on_better(walk.best_cost)
    return walk
