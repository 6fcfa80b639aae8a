"""A fast constructive start: roster one person (or a few) at a time, optimally given the people already placed.

Every hard rule except a seat's hard minimum concerns one person, so solving each person alone keeps the
roster valid; the objective sees the seats the earlier people left empty, so later people fill them. Hard seat
minimums are treated as heavily weighted seats here; the result is used only when it meets them.
"""
from __future__ import annotations

import os
import random
import sys
import time

from ortools.sat.python import cp_model

from scheduling.roster.model import build_model
from scheduling.roster.problem import Problem, Roster
from scheduling.roster.solve import extract

_TRACE = bool(os.environ.get("ROSTER_TRACE"))


def construct(problem: Problem, seconds: float, seed: int = 0, stop=lambda: False,
              most_seconds: float | None = None) -> Roster | None:
    """A valid roster built person by person in about `seconds` (at most `most_seconds`), or None."""
    started = time.monotonic()
    deadline = started + seconds
    last_chance = started + max(most_seconds or seconds, seconds)
    rng = random.Random(seed)
    roster = problem.empty_roster()
    order = list(problem.staff)
    rng.shuffle(order)
    # the most limited people first: they have the fewest ways to fit around the others
    order.sort(key=lambda p: -(p.min_minutes / max(p.max_minutes or 1, 1)))
    # a few people at a time on large periods, so the number of solves stays around forty
    batch = max(1, round(len(order) / 40))
    groups = [order[i:i + batch] for i in range(0, len(order), batch)]
    fallbacks = 0
    for index, group in enumerate(groups):
        if stop() or time.monotonic() >= last_chance:
            return None
        free = {person.id: list(range(problem.days)) for person in group}
        sub = build_model(problem, fixed=roster, free=free, relaxed=True)
        share = max(deadline - time.monotonic(), 0.0) / (len(groups) - index)
        # after two groups in a row that needed it, go straight to the fallback (but retry every eighth group)
        skip = fallbacks >= 2 and index % 8
        solver = None
        for attempt, (level, least) in enumerate(() if skip else ((2, 0.3), (0, 0.6))):
            solver = _solve(sub, max(share, least), last_chance, seed + attempt, level)
            if solver is not None:
                break
        fallbacks = 0 if solver is not None else fallbacks + 1
        if solver is None:
            # placed alongside nobody, every seat wants people: the search finds a valid schedule at once
            alone = build_model(problem, fixed=problem.empty_roster(), free=free, relaxed=True)
            for attempt, (level, least) in enumerate(((0, 1.0), (2, 2.0), (0, 5.0), (2, 20.0))):
                solver = _solve(alone, least, last_chance, seed + attempt, level, first=True)
                if solver is not None or time.monotonic() >= last_chance:
                    break
            if solver is None:
                return None
            schedule = extract(alone, solver)
            roster = {s: schedule[s] if s in free else row for s, row in roster.items()}
            continue
        roster = extract(sub, solver)
    return roster if meets_hard_minimums(problem, roster) else None


def _solve(sub, seconds: float, last_chance: float, seed: int, level: int, workers: int = 1, first: bool = False):
    """Solve a sub-model; the solver when it found a solution, else None."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(min(seconds, last_chance - time.monotonic()), 0.01)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.linearization_level = level
    solver.parameters.stop_after_first_solution = first
    status = solver.solve(sub.model)
    if _TRACE:
        print(f"construct: lin{level} {solver.status_name(status)} {solver.wall_time:.2f}s", file=sys.stderr)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def meets_hard_minimums(problem: Problem, roster: Roster) -> bool:
    """True when every seat group with a hard minimum has enough qualified people."""
    for cover in problem.covers:
        if cover.hard_min:
            if sum(1 for s in problem.qualified(cover) if roster[s][cover.day] == cover.shift) < cover.hard_min:
                return False
    return True
