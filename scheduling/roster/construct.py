"""A fast constructive start: roster one person at a time, each optimally given the people already placed.

Every hard rule except a seat's hard minimum concerns one person, so solving each person alone keeps the
roster valid; the objective sees the seats the earlier people left empty, so later people fill them. Hard seat
minimums are treated as heavily weighted seats here; the result is used only when it meets them.
"""
from __future__ import annotations

import random
import time

from ortools.sat.python import cp_model

from scheduling.roster.model import build_model
from scheduling.roster.problem import Problem, Roster
from scheduling.roster.solve import extract


def construct(problem: Problem, seconds: float, seed: int = 0, stop=lambda: False) -> Roster | None:
    """A valid roster built person by person within about `seconds`, or None when that fails."""
    deadline = time.monotonic() + seconds
    rng = random.Random(seed)
    roster = problem.empty_roster()
    order = list(problem.staff)
    rng.shuffle(order)
    # the most limited people first: they have the fewest ways to fit around the others
    order.sort(key=lambda p: -(p.min_minutes / max(p.max_minutes or 1, 1)))
    for index, person in enumerate(order):
        left = deadline - time.monotonic()
        if left <= 0 or stop():
            return None
        sub = build_model(problem, fixed=roster, free={person.id: list(range(problem.days))}, relaxed=True)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(left / (len(order) - index), 0.05)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.linearization_level = 2
        status = solver.solve(sub.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        roster = extract(sub, solver)
    return roster if meets_hard_minimums(problem, roster) else None


def meets_hard_minimums(problem: Problem, roster: Roster) -> bool:
    """True when every seat group with a hard minimum has enough qualified people."""
    for cover in problem.covers:
        if cover.hard_min:
            if sum(1 for s in problem.qualified(cover) if roster[s][cover.day] == cover.shift) < cover.hard_min:
                return False
    return True
