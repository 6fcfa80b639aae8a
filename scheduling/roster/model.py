"""Build the CP-SAT model of a roster problem: one function per rule, hard rules first, then soft penalties.

Variables are keyed by domain ids: ``x[staff, day, shift]`` is 1 when that person works that shift that day and
``work[staff, day]`` when they work at all. Sequence rules are posted as clauses that forbid the bad patterns
over sliding windows (stronger and smaller than counters). In explain mode every hard rule is guarded by an
enforcement literal carrying the coordinator's words, so an infeasible core can be read back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduling.roster.problem import Cover, Problem, Staff


@dataclass
class Term:
    """One weighted, non-negative part of the objective with the name of the rule that asks for it."""

    rule: str
    weight: int
    expr: Any


@dataclass
class RosterModel:
    """The CP-SAT model with its variables keyed by ids and the named objective terms."""

    problem: Problem
    model: cp_model.CpModel
    x: dict[tuple[str, int, str], Any] = field(default_factory=dict)
    work: dict[tuple[str, int], Any] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)
    guards: dict[str, Any] = field(default_factory=dict)  # coordinator's words -> enforcement literal
    explain: bool = False

    def guard(self, words: str) -> list:
        """Enforcement literals for a hard rule: none normally, one named literal in explain mode."""
        if not self.explain:
            return []
        if words not in self.guards:
            self.guards[words] = self.model.new_bool_var(f"rule: {words}")
        return [self.guards[words]]

    def clause(self, literals: list, words: str) -> None:
        """At least one literal holds (when the rule's guard is on)."""
        ct = self.model.add_bool_or(literals)
        ct.only_enforce_if(self.guard(words))

    def linear(self, constraint, words: str) -> None:
        """A linear constraint (when the rule's guard is on)."""
        self.model.add(constraint).only_enforce_if(self.guard(words))


def build_model(problem: Problem, explain: bool = False) -> RosterModel:
    """The full model: decision variables, hard rules, then the soft rules summed into the objective."""
    rm = RosterModel(problem, cp_model.CpModel(), explain=explain)
    _variables(rm)
    for rule in HARD_RULES:
        rule(rm)
    for rule in SOFT_RULES:
        rule(rm)
    rm.model.minimize(sum(t.weight * t.expr for t in rm.terms if t.weight))
    return rm


def _variables(rm: RosterModel) -> None:
    # Each person works at most one shift a day; work[s, d] says whether they work at all.
    model, p = rm.model, rm.problem
    for person in p.staff:
        for day in range(p.days):
            shifts = []
            for shift in p.shifts:
                var = model.new_bool_var(f"{person.id} works {shift.id} on day {day}")
                rm.x[person.id, day, shift.id] = var
                shifts.append(var)
            work = model.new_bool_var(f"{person.id} works on day {day}")
            rm.work[person.id, day] = work
            model.add(sum(shifts) == work)


def days_off(rm: RosterModel) -> None:
    # Nobody works on one of their fixed days off.
    p = rm.problem
    for person in p.staff:
        for day in sorted(person.days_off):
            rm.linear(rm.work[person.id, day] == 0, f"{person.label} is off on {p.day_label(day)}")


def pinned_duties(rm: RosterModel) -> None:
    # A duty (or day off) the coordinator pinned stays as pinned.
    p = rm.problem
    for pin in p.pins:
        if pin.shift:
            words = f"{rm.problem.staff_index[pin.staff].label} is pinned to {p.shift(pin.shift).label} " \
                    f"on {p.day_label(pin.day)}"
            rm.linear(rm.x[pin.staff, pin.day, pin.shift] == 1, words)
        else:
            words = f"{rm.problem.staff_index[pin.staff].label} is pinned off on {p.day_label(pin.day)}"
            rm.linear(rm.work[pin.staff, pin.day] == 0, words)


def max_shifts_per_type(rm: RosterModel) -> None:
    # Nobody works more shifts of a type than their contract allows (0: never that type).
    p = rm.problem
    for person in p.staff:
        for shift_id, limit in person.max_shifts.items():
            if limit < p.days:
                total = sum(rm.x[person.id, d, shift_id] for d in range(p.days))
                rm.linear(total <= limit, f"{person.label} works at most {limit} {p.shift(shift_id).label} shifts")


def total_minutes(rm: RosterModel) -> None:
    # Everybody's total working time stays within their minimum and maximum minutes.
    p = rm.problem
    for person in p.staff:
        total = sum(s.minutes * rm.x[person.id, d, s.id] for d in range(p.days) for s in p.shifts)
        if person.min_minutes > 0:
            rm.linear(total >= person.min_minutes, f"{person.label} works at least {person.min_minutes} minutes")
        if person.max_minutes is not None:
            rm.linear(total <= person.max_minutes, f"{person.label} works at most {person.max_minutes} minutes")


def max_consecutive_days(rm: RosterModel) -> None:
    # No run of working days is longer than the person's maximum (days outside the period count as off).
    p = rm.problem
    for person in p.staff:
        limit = person.max_consecutive
        if limit is None or limit >= p.days:
            continue
        words = f"{person.label} works at most {limit} days in a row"
        for first in range(p.days - limit):
            rm.clause([rm.work[person.id, d].Not() for d in range(first, first + limit + 1)], words)


def min_consecutive_days(rm: RosterModel) -> None:
    # A run of working days inside the period (touching neither end) is at least the person's minimum long.
    for person in rm.problem.staff:
        words = f"{person.label} works at least {person.min_consecutive} days in a row"
        _forbid_short_runs(rm, person, person.min_consecutive, True, words)


def min_days_off(rm: RosterModel) -> None:
    # A run of days off inside the period (touching neither end) is at least the person's minimum long.
    for person in rm.problem.staff:
        words = f"{person.label} takes at least {person.min_days_off} days off in a row"
        _forbid_short_runs(rm, person, person.min_days_off, False, words)


def _forbid_short_runs(rm: RosterModel, person: Staff, minimum: int, working: bool, words: str) -> None:
    """Clauses forbidding 'other, k same, other' for every k < minimum strictly inside the period."""
    days = rm.problem.days
    for length in range(1, minimum):
        for first in range(1, days - length):
            run = [rm.work[person.id, d] for d in range(first, first + length)]
            before, after = rm.work[person.id, first - 1], rm.work[person.id, first + length]
            if working:
                rm.clause([before, after] + [v.Not() for v in run], words)
            else:
                rm.clause([before.Not(), after.Not()] + run, words)


def max_weekends(rm: RosterModel) -> None:
    # Nobody works on more weekends (any duty on Saturday or Sunday) than their maximum.
    p, model = rm.problem, rm.model
    weekends = p.weekends()
    for person in p.staff:
        if person.max_weekends is None or person.max_weekends >= len(weekends):
            continue
        flags = []
        for index, days in enumerate(weekends):
            worked = [rm.work[person.id, d] for d in days]
            flag = model.new_bool_var(f"{person.id} works weekend {index}")
            for w in worked:
                model.add_implication(w, flag)
            model.add_bool_or(worked + [flag.Not()])
            flags.append(flag)
        rm.linear(sum(flags) <= person.max_weekends, f"{person.label} works at most {person.max_weekends} weekends")


def shift_successions(rm: RosterModel) -> None:
    # Some shifts may not follow others on the next day (listed pairs and the minimum rest between shifts).
    p = rm.problem
    banned: dict[str, list[str]] = {}
    for before, after in sorted(p.forbidden_successions()):
        banned.setdefault(before, []).append(after)
    for before, afters in banned.items():
        names = ", ".join(p.shift(a).label for a in afters)
        words = f"no {names} shift the day after a {p.shift(before).label} shift"
        for person in p.staff:
            for day in range(p.days - 1):
                nxt = sum(rm.x[person.id, day + 1, a] for a in afters)
                rm.linear(rm.x[person.id, day, before] + nxt <= 1, words)


def hard_cover_minimum(rm: RosterModel) -> None:
    # Seats with a hard minimum get at least that many qualified people.
    p = rm.problem
    for cover in p.covers:
        if cover.hard_min:
            words = f"{p.day_label(cover.day)} {cover_label(p, cover)} needs at least {cover.hard_min}"
            rm.linear(_assigned(rm, cover) >= cover.hard_min, words)


def shift_on_requests(rm: RosterModel) -> None:
    # A person who asked to work a shift costs the request's weight when they do not get it.
    for r in rm.problem.on_requests:
        rm.terms.append(Term("shift-on request", r.weight, 1 - rm.x[r.staff, r.day, r.shift]))


def shift_off_requests(rm: RosterModel) -> None:
    # A person who asked not to work a shift costs the request's weight when they get it anyway.
    for r in rm.problem.off_requests:
        rm.terms.append(Term("shift-off request", r.weight, rm.x[r.staff, r.day, r.shift]))


def cover_seats(rm: RosterModel) -> None:
    # Each empty seat costs the under-cover weight and each extra person the over-cover weight.
    p, model = rm.problem, rm.model
    for index, cover in enumerate(p.covers):
        assigned = _assigned(rm, cover)
        able = len(qualified(p, cover))
        short = model.new_int_var(0, cover.requirement, f"cover {index} short")
        over = model.new_int_var(0, max(able - cover.requirement, 0), f"cover {index} over")
        model.add(assigned - cover.requirement == over - short)
        if cover.requirement > 0 and able > cover.requirement:
            # never short and over at once, so every roster's objective is its true cost
            shortfall = model.new_bool_var(f"cover {index} is short")
            model.add(over == 0).only_enforce_if(shortfall)
            model.add(short == 0).only_enforce_if(shortfall.Not())
        rm.terms.append(Term("seat short", cover.under_weight, short))
        rm.terms.append(Term("seat over", cover.over_weight, over))


def fair_spread(rm: RosterModel) -> None:
    # Comparable lawyers (same group) get similar numbers of duties and of unpopular duties.
    p, model = rm.problem, rm.model
    groups: dict[str, list[Staff]] = {}
    for person in p.staff:
        groups.setdefault(person.group, []).append(person)
    for name, members in groups.items():
        if len(members) < 2:
            continue
        for rule, weight, unpopular_only in (("duty spread", p.fairness.duties, False),
                                             ("unpopular duty spread", p.fairness.unpopular, True)):
            if not weight:
                continue
            high = model.new_int_var(0, p.days, f"{rule} high {name}")
            low = model.new_int_var(0, p.days, f"{rule} low {name}")
            for person in members:
                count = sum(rm.x[person.id, d, s.id] for d in range(p.days) for s in p.shifts
                            if not unpopular_only or p.is_unpopular(d, s.id))
                model.add(high >= count)
                model.add(low <= count)
            rm.terms.append(Term(rule, weight, high - low))


def keep_published_duties(rm: RosterModel) -> None:
    # When re-planning, every duty added, removed or moved compared with the published roster costs the change weight.
    p = rm.problem
    if p.published is None or not p.change_weight:
        return
    for person in p.staff:
        for day in range(p.days):
            before = p.published.get(person.id, [""] * p.days)[day]
            if before:
                rm.terms.append(Term("changed duty", p.change_weight, 1 - rm.x[person.id, day, before]))
            else:
                rm.terms.append(Term("changed duty", p.change_weight, rm.work[person.id, day]))


def _assigned(rm: RosterModel, cover: Cover):
    """Number of qualified people working the cover's shift on its day."""
    return sum(rm.x[person, cover.day, cover.shift] for person in qualified(rm.problem, cover))


def qualified(problem: Problem, cover: Cover) -> list[str]:
    """Ids of the staff who may fill the cover's seats."""
    return problem.qualified(cover)


def cover_label(problem: Problem, cover: Cover) -> str:
    """'night Korean-speaking labour' style words for a group of seats."""
    words = [problem.shift(cover.shift).label]
    if cover.language:
        words.append(f"{cover.language}-speaking")
    if cover.area:
        words.append(cover.area)
    return " ".join(words)


HARD_RULES = [days_off, pinned_duties, max_shifts_per_type, total_minutes, max_consecutive_days,
              min_consecutive_days, min_days_off, max_weekends, shift_successions, hard_cover_minimum]
SOFT_RULES = [shift_on_requests, shift_off_requests, cover_seats, fair_spread, keep_published_duties]
