"""Large-neighbourhood search for the province matching: CP-SAT re-matches a few related lawyers' projects.

Each step frees every project served by a small group of lawyers who compete for the same projects, keeps all other
counsel fixed (their hours and places stay used), and lets CP-SAT re-match the freed projects optimally among their
candidates. A step is kept only when the whole matching gets cheaper. Small instances are a single step: the whole
model at once.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduling.common import CancelToken, SolverSettings
from scheduling.matching.model import (
    HOUR_SCALE,
    UNMATCHED_PENALTY,
    Base,
    Candidates,
    build_model,
    role_units,
)
from scheduling.matching.polish import polish
from scheduling.matching.problem import MatchingProblem

Choice = dict  # (project index, role) -> lawyer index


@dataclass
class Answer:
    """A matching by indices, and its cost."""

    chosen: Choice
    short: list[int]
    cost: float = math.inf


@dataclass
class Neighbourhoods:
    """State of the search: answer, neighbourhood size, whether the whole model was proven optimal."""

    answer: Answer
    lawyers: int = 4
    proven: bool = False
    steps: int = 0
    kept: int = 0
    log: list = field(default_factory=list)


class Evaluator:
    """Fast cost of an answer from the candidate costs, the balance term and the unmatched penalty."""

    def __init__(self, problem: MatchingProblem, found: Candidates, fair: dict):
        self.problem = problem
        self.cost = {(p, role, l): c for (p, role), pairs in found.pruned.items() for l, c in pairs}
        self.fair = [fair[lw.id] for lw in problem.lawyers]
        self.hours = {(p, role): role_units(problem, problem.projects[p], role) / HOUR_SCALE
                      for (p, role) in found.pruned}

    def __call__(self, answer: Answer) -> float:
        """Total cost (same terms as evaluate.breakdown, up to rounding of hours to hundredths)."""
        total = UNMATCHED_PENALTY * len(answer.short)
        loads = [0.0] * len(self.problem.lawyers)
        for (p, role), l in answer.chosen.items():
            total += self.cost[p, role, l]
            loads[l] += self.hours[p, role]
        weight = self.problem.weights.balance
        return total + weight * sum(max(0.0, load - fair) for load, fair in zip(loads, self.fair))


def search(problem: MatchingProblem, found: Candidates, projects: list[int], start: Answer, fair: dict,
           settings: SolverSettings, deadline: float, cancel: CancelToken | None = None, on_better=None,
           max_free: int = 150) -> Neighbourhoods:
    """Improve the start until the deadline; returns the final state (best answer in .answer)."""
    rng = random.Random(settings.seed)
    evaluate = Evaluator(problem, found, fair)
    state = Neighbourhoods(Answer(dict(start.chosen), list(start.short)))
    state.answer.cost = evaluate(state.answer)
    competitors = _competitors(problem, found, projects)
    if not (cancel is not None and cancel.cancelled):
        _polish(problem, found, state, fair, deadline, rng, evaluate, on_better)
    while time.monotonic() < deadline and not (cancel is not None and cancel.cancelled):
        whole = len(projects) <= max_free
        free = list(projects) if whole else _neighbourhood(state, competitors, rng, max_free)
        budget = deadline - time.monotonic() if whole else min(1.0, deadline - time.monotonic())
        improved, optimal = _step(problem, found, free, state, fair, settings, budget, rng, evaluate, cancel)
        state.steps += 1
        state.kept += improved
        if improved and on_better is not None:
            on_better(state.answer)
        if whole:
            state.proven = optimal
            break
        state.lawyers = min(40, state.lawyers + 1) if optimal else max(3, state.lawyers - 2)
    return state


def _polish(problem, found, state, fair, deadline, rng, evaluate, on_better) -> None:
    """Shift and swap moves (polish.py) until none helps; keeps the result if it is cheaper."""
    candidate = Answer(polish(problem, found, state.answer.chosen, fair, deadline, rng), list(state.answer.short))
    candidate.cost = evaluate(candidate)
    if candidate.cost < state.answer.cost - 1e-9:
        state.answer = candidate
        if on_better is not None:
            on_better(candidate)


def _competitors(problem: MatchingProblem, found: Candidates, projects: list[int]) -> list[list[int]]:
    """For each lawyer, the other lawyers most often candidates for the same projects."""
    counts: list[dict[int, int]] = [dict() for _ in problem.lawyers]
    for p in projects:
        group = {l for role in ("primary", "backup") for l, _ in found.pruned[p, role]}
        for a in group:
            for b in group:
                if a != b:
                    counts[a][b] = counts[a].get(b, 0) + 1
    return [sorted(c, key=lambda b: -c[b])[:30] for c in counts]


def _neighbourhood(state: Neighbourhoods, competitors: list[list[int]], rng: random.Random,
                   max_free: int) -> list[int]:
    """Projects served by a seed lawyer and its closest competitors (plus any unmatched ones)."""
    answer = state.answer
    seed = rng.randrange(len(competitors))
    pool = competitors[seed]
    group = {seed} | set(rng.sample(pool, min(len(pool), state.lawyers - 1)))
    free = {p for (p, _), l in answer.chosen.items() if l in group}
    free.update(answer.short[:20])
    free = sorted(free)
    if len(free) > max_free:
        free = rng.sample(free, max_free)
    return free


def _step(problem, found, free, state, fair, settings, budget, rng, evaluate, cancel) -> tuple[bool, bool]:
    """Re-match the free projects with CP-SAT, others fixed; keep the result if cheaper."""
    if budget <= 0.05:
        return False, False
    answer = state.answer
    freed = set(free)
    units = [0] * len(problem.lawyers)
    places = [0] * len(problem.lawyers)
    for (p, role), l in answer.chosen.items():
        if p not in freed:
            units[l] += role_units(problem, problem.projects[p], role)
            places[l] += 1
    built = build_model(problem, free, found, Base(units, places, fair))
    for (p, l), var in built.x.items():
        built.model.add_hint(var, answer.chosen.get((p, "primary")) == l)
    for (p, l), var in built.y.items():
        built.model.add_hint(var, answer.chosen.get((p, "backup")) == l)
    for p, var in built.unmatched.items():
        built.model.add_hint(var, (p, "primary") not in answer.chosen)
    solver = cp_model.CpSolver()
    SolverSettings(time_limit=budget, workers=settings.workers, seed=rng.randrange(1 << 30)).apply(solver)
    unlisten = cancel.listen(solver.stop_search) if cancel is not None else None
    try:
        status = solver.solve(built.model)
    finally:
        if unlisten is not None:
            unlisten()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False, False
    chosen = {key: l for key, l in answer.chosen.items() if key[0] not in freed}
    for (p, l), var in built.x.items():
        if solver.boolean_value(var):
            chosen[p, "primary"] = l
    for (p, l), var in built.y.items():
        if solver.boolean_value(var):
            chosen[p, "backup"] = l
    short = [p for p in answer.short if p not in freed] + [p for p in free if solver.boolean_value(built.unmatched[p])]
    candidate = Answer(chosen, short)
    candidate.cost = evaluate(candidate)
    if candidate.cost < answer.cost - 1e-9:
        state.answer = candidate
        return True, status == cp_model.OPTIMAL
    return False, status == cp_model.OPTIMAL
