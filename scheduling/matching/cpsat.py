"""CP-SAT on the whole (pruned) province model, for small instances, after a shift/swap polish of the start.

Large instances anneal instead (anneal.py): CP-SAT steps on neighbourhoods of a pruned model were slow to converge
there (12 steps, none kept, in the 30 s benchmark) and the pruning alone kept them about 3% above the optimum.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

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
class Outcome:
    """The best answer, whether it is proven optimal for the (pruned) model, and the CP-SAT solves run."""

    answer: Answer
    proven: bool = False
    steps: int = 0


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
           settings: SolverSettings, deadline: float, cancel: CancelToken | None = None,
           on_better=None) -> Outcome:
    """Polish the start, then solve the whole pruned model with CP-SAT from it until the deadline."""
    rng = random.Random(settings.seed)
    evaluate = Evaluator(problem, found, fair)
    state = Outcome(Answer(dict(start.chosen), list(start.short)))
    state.answer.cost = evaluate(state.answer)
    if cancel is not None and cancel.cancelled:
        return state
    _polish(problem, found, state, fair, deadline, rng, evaluate, on_better)
    improved, state.proven = _step(problem, found, list(projects), state, fair, settings,
                                   deadline - time.monotonic(), rng, evaluate, cancel)
    state.steps = 1
    if improved and on_better is not None:
        on_better(state.answer)
    return state


def _polish(problem, found, state, fair, deadline, rng, evaluate, on_better) -> None:
    """Shift and swap moves (polish.py) until none helps; keeps the result if it is cheaper."""
    candidate = Answer(polish(problem, found, state.answer.chosen, fair, deadline, rng), list(state.answer.short))
    candidate.cost = evaluate(candidate)
    if candidate.cost < state.answer.cost - 1e-9:
        state.answer = candidate
        if on_better is not None:
            on_better(candidate)


def _step(problem, found, free, state, fair, settings, budget, rng, evaluate, cancel) -> tuple[bool, bool]:
    """Re-match the free projects with CP-SAT, others fixed; keep the result if cheaper.

    Returns (improved, proven optimal)."""
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
