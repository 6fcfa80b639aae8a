"""Match every key project with a primary and a backup lawyer: greedy start, proven bound, improvement.

1. Candidates: every lawyer the one-pair rules allow, with its cost; projects with none are explained.
2. A plain greedy answer (the baseline).
3. The bound (bound.py): a Lagrangian bound over every eligible lawyer, valid for the unpruned problem; its prices
   and the lawyers its subproblems pick give a priced greedy answer (the start).
4. Small problems: CP-SAT on the whole model, pruned to the cheapest few candidates (cpsat.py). Large ones: compiled
   simulated annealing over every eligible lawyer (anneal.py); CP-SAT on a pruned model is slow to converge and
   the pruning itself kept the province instance about 3% above its optimum.
"""
from __future__ import annotations

import math
import time

import numpy as np

from scheduling.common import CancelToken, Progress, ProgressCallback, SolverSettings
from scheduling.matching.anneal import anneal, start_walk
from scheduling.matching.arrays import MatchArrays, build_arrays
from scheduling.matching.bound import Prices, lagrangian_prices, priced_candidates, priced_costs
from scheduling.matching.evaluate import breakdown
from scheduling.matching.explain import ROOM_REASON, unmatchable_reason
from scheduling.matching.cpsat import Answer, search
from scheduling.matching.model import (
    ROLES,
    UNMATCHED_PENALTY,
    Candidates,
    capacity_units,
    fair_shares,
    find_candidates,
    prune,
    role_units,
)
from scheduling.matching.problem import Counsel, Id, MatchingProblem, MatchResult

WHOLE_MODEL = 150  # up to this many projects CP-SAT solves the whole model (and may prove it optimal)
BOUND_SHARE = 0.2  # share of the time limit the bound's subgradient ascent may take


def match(
    problem: MatchingProblem,
    settings: SolverSettings = SolverSettings(),
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    fixed: dict[Id, Counsel] | None = None,
) -> MatchResult:
    """Match all projects at once; projects in `fixed` keep that counsel if it is still allowed."""
    started = time.monotonic()
    fixed = fixed or {}
    everyone = list(range(len(problem.projects)))
    found = find_candidates(problem, everyone)
    unmatched: dict[Id, str] = {}
    matchable = []
    for p in everyone:
        if _has_pair(problem, found, p):
            matchable.append(p)
        else:
            project = problem.projects[p]
            unmatched[project.id] = unmatchable_reason(problem, project) or ROOM_REASON
    keep = _fixed_choices(problem, found, fixed)
    _restrict(found, keep)
    greedy, greedy_short = greedy_matching(problem, found, matchable)
    greedy_cost = sum(breakdown(problem, greedy, len(greedy_short), matchable).values())
    fair = fair_shares(problem, [problem.projects[p] for p in matchable])
    arrays = build_arrays(problem, found, matchable, fair)
    bound, prices, picked = None, None, None
    if not (cancel is not None and cancel.cancelled):
        bound, prices, picked = lagrangian_prices(arrays, greedy_cost, settings.time_limit * BOUND_SHARE,
                                                  stop=lambda: cancel is not None and cancel.cancelled)
    start, start_short, start_cost = greedy, greedy_short, greedy_cost
    if prices is not None:
        favourite = _from_keys(picked, matchable)
        priced, priced_short = greedy_matching(problem, found, matchable, prices, favourite)
        priced_cost = sum(breakdown(problem, priced, len(priced_short), matchable).values())
        if priced_cost < start_cost:
            start, start_short, start_cost = priced, priced_short, priced_cost
    if on_progress is not None:
        on_progress(Progress(start_cost, _nan(bound), time.monotonic() - started))

    def better(cost: float) -> None:
        """Report a cheaper matching."""
        if on_progress is not None:
            on_progress(Progress(cost, _nan(bound), time.monotonic() - started))

    deadline = started + settings.time_limit
    if len(matchable) <= WHOLE_MODEL:
        prune(problem, found, _with(keep, problem, greedy, start))
        chosen, short, proven, extra = _whole_model(problem, found, matchable, fair, start, start_short, settings,
                                                    deadline, cancel, better)
    else:
        rank = priced_costs(arrays, prices) if prices is not None else None
        chosen, short, proven, extra = _anneal(problem, arrays, rank, matchable, start, start_short, settings.seed,
                                               deadline, cancel, better)
    counsel = {problem.projects[p].id: Counsel(problem.lawyers[chosen[p, "primary"]].id,
                                               problem.lawyers[chosen[p, "backup"]].id)
               for p in matchable if (p, "primary") in chosen}
    for p in short:
        unmatched[problem.projects[p].id] = ROOM_REASON
    terms = breakdown(problem, counsel, len(short), matchable)
    objective = sum(terms.values())
    bound = objective if proven else (min(bound, objective) if bound is not None else None)
    gap_ok = bound is not None and objective - bound <= 1e-6 * max(1.0, abs(objective))
    return MatchResult(
        status="OPTIMAL" if proven or gap_ok else "FEASIBLE", objective=objective, bound=bound,
        wall_s=time.monotonic() - started, counsel=counsel, unmatched=unmatched, breakdown=terms,
        greedy_objective=greedy_cost, extra=extra,
    )


def _whole_model(problem, found, matchable, fair, start, short, settings, deadline, cancel, better):
    """CP-SAT on the whole pruned model (small problems): chosen lawyers, left-out projects, proven, figures."""
    state = search(problem, found, matchable, Answer(_as_indices(problem, start), list(short)), fair, settings,
                   deadline, cancel=cancel, on_better=lambda answer: better(answer.cost))
    unpruned = all(len(found.pruned[k]) == len(found.eligible[k]) for k in found.pruned)
    return state.answer.chosen, state.answer.short, state.proven and unpruned, {"cp_sat_steps": state.steps}


def _anneal(problem, arrays, rank, matchable, start, short, seed, deadline, cancel, better):
    """Compiled annealing over every eligible lawyer (large problems); the projects left out stay out."""
    assign = _as_keys(_as_indices(problem, start), matchable)
    penalty = UNMATCHED_PENALTY * len(short)
    walk = anneal(arrays, start_walk(arrays, assign), deadline, seed,
                  stop=lambda: cancel is not None and cancel.cancelled, on_better=lambda best: better(best + penalty),
                  rank=rank)
    return _from_keys(walk.best, matchable), list(short), False, {"anneal_moves": walk.moves}


def _as_keys(chosen: dict[tuple[int, str], int], matchable: list[int]) -> np.ndarray:
    """Lawyer indices by (project, role) as the arrays' key order (key 2i + r; -1 where the project is out)."""
    return np.array([chosen.get((p, role), -1) for p in matchable for role in ROLES], dtype=np.int64)


def _from_keys(lawyers: np.ndarray, matchable: list[int]) -> dict[tuple[int, str], int]:
    """The inverse of _as_keys: lawyer index by (project, role), for the keys that have one."""
    return {(p, role): int(lawyers[2 * i + r]) for i, p in enumerate(matchable)
            for r, role in enumerate(ROLES) if lawyers[2 * i + r] >= 0}


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def _with(keep: dict, problem: MatchingProblem, *answers: dict[Id, Counsel]) -> dict:
    """Lawyers that pruning must keep: the kept counsel and every choice of the given answers."""
    must = {key: set(lawyers) for key, lawyers in keep.items()}
    for answer in answers:
        for key, l in _as_indices(problem, answer).items():
            must.setdefault(key, set()).add(l)
    return must


def _has_pair(problem: MatchingProblem, found: Candidates, p: int) -> bool:
    """Some eligible primary and backup come from two different firms."""
    primaries, backups = found.eligible[p, "primary"], found.eligible[p, "backup"]
    firms = {problem.lawyers[l].firm for l, _ in backups}
    return any(len(firms - {problem.lawyers[l].firm}) > 0 for l, _ in primaries)


def _fixed_choices(problem: MatchingProblem, found: Candidates, fixed: dict[Id, Counsel]) -> dict:
    """(project index, role) -> {lawyer index} for kept counsel that the rules still allow."""
    index = {lawyer.id: l for l, lawyer in enumerate(problem.lawyers)}
    keep = {}
    for p, project in enumerate(problem.projects):
        chosen = fixed.get(project.id)
        if chosen is None:
            continue
        for role, lid in (("primary", chosen.primary), ("backup", chosen.backup)):
            l = index.get(lid)
            if l is not None and any(c == l for c, _ in found.eligible[p, role]):
                keep[p, role] = {l}
    return keep


def _restrict(found: Candidates, keep: dict) -> None:
    """A kept role has its kept lawyer as its only candidate."""
    for key, lawyers in keep.items():
        found.eligible[key] = [(l, cost) for l, cost in found.eligible[key] if l in lawyers]


def greedy_matching(problem: MatchingProblem, found: Candidates, projects: list[int], prices: Prices | None = None,
                    prefer: dict | None = None):
    """Most important projects first, each takes the cheapest primary and backup with room left.

    Without prices this is the plain baseline (cheapest primary, then cheapest backup). With the LP's prices and
    favourites it rounds the LP: projects first take the pair the LP favours, and the others the cheapest
    priced pair, which spreads the load the way the LP does.
    """
    prefer = prefer or {}
    hours = [capacity_units(lawyer) for lawyer in problem.lawyers]
    places = [lawyer.max_projects for lawyer in problem.lawyers]
    order = sorted(projects, key=lambda p: ((p, "primary") not in prefer or (p, "backup") not in prefer,
                                            -problem.projects[p].priority, len(found.eligible[p, "primary"])))
    firm = [lawyer.firm for lawyer in problem.lawyers]
    counsel: dict[Id, Counsel] = {}
    short = []
    for p in order:
        project = problem.projects[p]
        need = {role: role_units(problem, project, role) for role in ("primary", "backup")}
        if prices is None:
            options = {"primary": found.eligible[p, "primary"], "backup": found.eligible[p, "backup"]}
        else:
            options = priced_candidates(problem, found, p, prices)
            options = {role: sorted(pairs, key=lambda pair: pair[1]) for role, pairs in options.items()}
        backups = [(l, c) for l, c in options["backup"] if hours[l] >= need["backup"] and places[l] >= 1]
        choice, best = None, math.inf
        l1, l2 = prefer.get((p, "primary")), prefer.get((p, "backup"))
        if (l1 is not None and l2 is not None and firm[l1] != firm[l2] and places[l1] >= 1 and places[l2] >= 1
                and hours[l1] >= need["primary"] and hours[l2] >= need["backup"]):
            choice, best = (l1, l2), -math.inf
        for l1, c1 in options["primary"]:
            if prices is not None and backups and c1 + backups[0][1] >= best:
                break
            if hours[l1] < need["primary"] or places[l1] < 1:
                continue
            for l2, c2 in backups:
                if firm[l2] != firm[l1]:
                    if c1 + c2 < best:
                        choice, best = (l1, l2), c1 + c2
                    break
            if choice and prices is None:
                break
        if choice is None:
            short.append(p)
            continue
        for l, role in zip(choice, ("primary", "backup")):
            hours[l] -= need[role]
            places[l] -= 1
        counsel[project.id] = Counsel(problem.lawyers[choice[0]].id, problem.lawyers[choice[1]].id)
    return counsel, short


def _as_indices(problem: MatchingProblem, counsel: dict[Id, Counsel]) -> dict[tuple[int, str], int]:
    index = {lawyer.id: l for l, lawyer in enumerate(problem.lawyers)}
    out = {}
    for p, project in enumerate(problem.projects):
        chosen = counsel.get(project.id)
        if chosen is not None:
            out[p, "primary"] = index[chosen.primary]
            out[p, "backup"] = index[chosen.backup]
    return out


def greedy_start(problem: MatchingProblem) -> tuple[Candidates, list[int], MatchArrays, np.ndarray]:
    """Every project's candidates, the projects that have a pair, their arrays, and the plain greedy matching as an
    assignment array (two entries per project, -1 when left out): what the compiled bound and annealing work on,
    for the warm-up and the tests on small provinces."""
    everyone = list(range(len(problem.projects)))
    found = find_candidates(problem, everyone)
    matchable = [p for p in everyone if _has_pair(problem, found, p)]
    arrays = build_arrays(problem, found, matchable, fair_shares(problem, [problem.projects[p] for p in matchable]))
    return found, matchable, arrays, _as_keys(_as_indices(problem, greedy_matching(problem, found, matchable)[0]),
                                              matchable)
