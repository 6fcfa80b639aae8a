"""A fast constructive start: roster one person (or a few) at a time, optimally given the people already placed.

Every hard rule except a seat's hard minimum concerns one person, so solving each person alone keeps the
roster valid; the objective sees the seats the earlier people left empty, so later people fill them. Hard seat
minimums are treated as heavily weighted seats here; the result is used only when it meets them.

Each person is first placed by the person-level DP (``person_dp.py``, milliseconds) under prices read from the
seats; the people it cannot place are solved by CP-SAT as before. Then, while the start's time lasts, passes
re-plan every person by the DP against all the others. The prices leave out the fairness spread (not a sum over
people), which the search after the start still sees.
"""
from __future__ import annotations

import dataclasses
import os
import random
import sys
import time
from collections.abc import Iterable

import numpy as np
from ortools.sat.python import cp_model

from scheduling.roster.model import build_model, relaxed_minimum_weight
from scheduling.roster.person_dp import cheapest_schedule
from scheduling.roster.problem import Problem, Request, Roster, Staff
from scheduling.roster.solve import extract

_TRACE = bool(os.environ.get("ROSTER_TRACE"))
RETRY = 3  # effort of the DP's second try for a person its first try cannot place
RESEEDS = 30  # then at most this many tries with other random nudges
SHARE_SLACK = 1.25  # the first placement caps working time at this times the seats' minutes per person


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
    seats = Seats(problem)
    capped = fair_caps(problem)
    fallbacks = 0
    for index, group in enumerate(groups):
        if stop() or time.monotonic() >= last_chance:
            return None
        # the DP places most people in milliseconds; CP-SAT takes the ones it cannot place
        hard = []
        for person in group:
            row = _place(problem, capped.get(person.id, person), seats.prices(person), last_chance)
            if row is None:
                hard.append(person)
            else:
                roster[person.id] = row
                seats.place(person, row)
        if not hard:
            continue
        share = max(deadline - time.monotonic(), 0.0) / (len(groups) - index)
        # after two groups in a row that needed it, go straight to the fallback (but retry every eighth group)
        roster, alone = _solve_group(problem, roster, hard, share, last_chance, seed,
                                     skip=bool(fallbacks >= 2 and index % 8))
        if roster is None:
            return None
        fallbacks = fallbacks + 1 if alone else 0
        for person in hard:
            seats.place(person, roster[person.id])
    _improve(problem, roster, seats, order, deadline, stop)
    return roster if meets_hard_minimums(problem, roster) else None


def fair_caps(problem: Problem, slack: float = SHARE_SLACK) -> dict[str, Staff]:
    """People whose working time the first placement caps near a fair share of the seats' minutes.

    Placed one by one against the seats still empty, the first people take every empty seat they may (up to their
    maximum minutes) and the last ones find only full seats, where their minimum minutes make them crowd the
    cheapest: on the province period (420 lawyers, about 4 duties each needed) 148 lawyers took one night each,
    over cover, and the duty spread was 123. So while placing, nobody works more than `slack` times the seats'
    minutes per person (never below their own minimum); the re-planning passes after use the full limits."""
    demand: dict[tuple[int, str], int] = {}
    for cover in problem.covers:
        key = (cover.day, cover.shift)
        demand[key] = max(demand.get(key, 0), cover.requirement)
    share = slack * sum(n * problem.shift(shift).minutes for (_, shift), n in demand.items()) / max(len(problem.staff), 1)
    if not share:
        return {}  # no seats: only requests say how much anyone works
    caps = {}
    for person in problem.staff:
        cap = max(person.min_minutes, int(share))
        if person.max_minutes is None or cap < person.max_minutes:
            caps[person.id] = dataclasses.replace(person, max_minutes=cap)
    return caps


def _place(problem: Problem, person: Staff, prices: list[list[float]], last_chance: float) -> list[str] | None:
    """The person's row by the DP: a first try, a longer second one, then tries with other random nudges."""
    # a longer second try costs a few DP runs, far less than CP-SAT on a long period (instance 22: the six people
    # of 50 the first try missed took 1-17 s each by CP-SAT, 2-5 s by the second try)
    row = cheapest_schedule(problem, person, prices) or cheapest_schedule(problem, person, prices, RETRY)
    # a narrow minutes window (instance 24: 720 of 106,000 minutes) is met by about one nudge in ten, at ~0.07 s a
    # try; CP-SAT took the rest of the minute over four such people and found nothing
    for seed in range(1, RESEEDS + 1):
        if row is not None or time.monotonic() >= last_chance:
            break
        row = cheapest_schedule(problem, person, prices, seed=seed)
    return row


def replan(problem: Problem, roster: Roster, deadline: float, stop=lambda: False, seed: int = 0) -> Roster:
    """A copy of the roster after passes of re-planning each person by the DP against all the others (in an order
    and with price nudges drawn from `seed`), until a pass changes nothing or the deadline."""
    roster = {s: list(row) for s, row in roster.items()}
    seats = Seats(problem)
    for person in problem.staff:
        seats.place(person, roster[person.id])
    order = list(problem.staff)
    random.Random(seed).shuffle(order)
    _improve(problem, roster, seats, order, deadline, stop, seed)
    return roster


def _improve(problem: Problem, roster: Roster, seats: Seats, order: list[Staff], deadline: float, stop,
             seed: int = 0) -> None:
    """Passes of re-planning each person by the DP against everybody else's final rows: the first people chose
    when every seat was empty, so they now sit on seats later people also took. A row is replaced only when the
    new one is cheaper; passes stop when one changes nothing or the time is up."""
    changed = True
    while changed:
        changed = False
        for person in order:
            if stop() or time.monotonic() >= deadline:
                return
            seats.place(person, roster[person.id], -1)
            prices = seats.prices(person)
            row = cheapest_schedule(problem, person, prices, seed=seed)
            if row is not None and seats.row_cost(prices, row) < seats.row_cost(prices, roster[person.id]):
                roster[person.id] = row
                changed = True
            seats.place(person, roster[person.id])


def _solve_group(problem: Problem, roster: Roster, group: list[Staff], share: float, last_chance: float,
                 seed: int, skip: bool) -> tuple[Roster | None, bool]:
    """Place a group by CP-SAT given the others (or alone when that finds nothing); (roster, placed alone)."""
    free = {person.id: list(range(problem.days)) for person in group}
    sub = build_model(problem, fixed=roster, free=free, relaxed=True)
    solver = None
    for attempt, (level, least) in enumerate(() if skip else ((2, 0.3), (0, 0.6))):
        solver = _solve(sub, max(share, least), last_chance, seed + attempt, level)
        if solver is not None:
            return extract(sub, solver), False
    # placed alongside nobody, every seat wants people: the search finds a valid schedule at once
    alone = build_model(problem, fixed=problem.empty_roster(), free=free, relaxed=True)
    for attempt, (level, least) in enumerate(((0, 1.0), (2, 2.0), (0, 5.0), (2, 20.0))):
        solver = _solve(alone, least, last_chance, seed + attempt, level, first=True)
        if solver is not None or time.monotonic() >= last_chance:
            break
    if solver is None:
        return None, True
    schedule = extract(alone, solver)
    return {s: schedule[s] if s in free else row for s, row in roster.items()}, True


class Seats:
    """How many placed people fill each seat group, and what one more person's duty would cost or save.

    Kept as arrays over the seat groups (day, shift column, weights, how many placed): a person's prices are one
    masked sum over the groups they qualify for (Curtois instance 24 has 11,648 groups and 150 people; the loop
    over the groups in Python took about 3 ms per pricing there).
    """

    def __init__(self, problem: Problem):
        self.problem = problem
        self.column = {s.id: k for k, s in enumerate(problem.shifts)}
        covers = problem.covers
        self.day = np.array([c.day for c in covers], dtype=np.int64)
        self.shift = np.array([self.column[c.shift] for c in covers], dtype=np.int64)
        self.requirement = np.array([c.requirement for c in covers], dtype=np.int64)
        self.hard_min = np.array([c.hard_min or 0 for c in covers], dtype=np.int64)
        self.under = np.array([-c.under_weight for c in covers], dtype=np.float64)
        self.over = np.array([c.over_weight for c in covers], dtype=np.float64)
        self.relaxed = np.array([relaxed_minimum_weight(c) if c.hard_min else 0 for c in covers], dtype=np.float64)
        self.filled = np.zeros(len(covers), dtype=np.int64)
        self._masks: dict[tuple, np.ndarray] = {}
        self.on: dict[str, list[Request]] = {}
        self.off: dict[str, list[Request]] = {}
        for requests, by_staff in ((problem.on_requests, self.on), (problem.off_requests, self.off)):
            for request in requests:
                by_staff.setdefault(request.staff, []).append(request)

    def qualifies(self, person: Staff) -> np.ndarray:
        """Which seat groups the person may fill (cached per area, language and city set)."""
        key = (person.areas, person.languages, person.city)
        mask = self._masks.get(key)
        if mask is None:
            mask = self._masks[key] = np.array([c.qualifies(person) for c in self.problem.covers], dtype=bool)
        return mask

    def place(self, person: Staff, row: list[str], sign: int = 1) -> None:
        """Count the person's duties in the seats they qualify for (or take them out with sign -1)."""
        worked = np.array([self.column[shift] if shift else -1 for shift in row], dtype=np.int64)
        self.filled += sign * ((worked[self.day] == self.shift) & self.qualifies(person))

    def row_cost(self, prices: list[list[float]], row: list[str]) -> float:
        """What a person's row costs under their prices."""
        return sum(prices[day][self.column[shift]] for day, shift in enumerate(row) if shift)

    def prices(self, person: Staff) -> list[list[float]]:
        """Cost change of each (day, shift) duty for the person against the day off, in the relaxed start model's
        terms: seats short or over, the hard minimum's heavy weight, requests and changes to a published roster."""
        p = self.problem
        prices = np.array(own_prices(p, person, self.on.get(person.id, ()), self.off.get(person.id, ())),
                          dtype=np.float64).reshape(p.days, len(p.shifts))
        mask = self.qualifies(person)
        np.add.at(prices, (self.day[mask], self.shift[mask]), self.seat_prices()[mask])
        return prices.tolist()

    def seat_prices(self) -> np.ndarray:
        """One more person in each seat group: an empty seat filled (and, below a hard minimum, the weight the relaxed
        model gives it) or one more person over the requirement (the tests hold a one-group form to compare)."""
        short = self.filled < self.requirement
        return np.where(short, self.under, self.over) - np.where(self.filled < self.hard_min, self.relaxed, 0.0)


def own_prices(problem: Problem, person: Staff, on: Iterable[Request], off: Iterable[Request]) -> list[list[float]]:
    """Cost change of each (day, shift) duty against the day off from the person's own terms: their shift-on and
    shift-off requests (`on`, `off`) and changes to a published roster."""
    column = {s.id: k for k, s in enumerate(problem.shifts)}
    prices = [[0.0] * len(problem.shifts) for _ in range(problem.days)]
    for request in on:
        prices[request.day][column[request.shift]] -= request.weight
    for request in off:
        prices[request.day][column[request.shift]] += request.weight
    if problem.published is not None and problem.change_weight:
        published = problem.published.get(person.id, [""] * problem.days)
        for day, before in enumerate(published):
            for k, shift in enumerate(problem.shifts):
                prices[day][k] += problem.change_weight * ((shift.id != before) - (before != ""))
    return prices


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
            if problem.filled(cover, roster) < cover.hard_min:
                return False
    return True
