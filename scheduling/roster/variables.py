"""The CP-SAT model of a roster problem as the rules see it: variables keyed by domain ids and cell helpers.

``x[staff, day, shift]`` is 1 when that person works that shift that day and ``work[staff, day]`` when they work
at all. A sub-model for large-neighbourhood search has ``fixed`` (an incumbent roster) and ``free`` (the days
each person may change): only free cells get variables, and ``cell``, ``worked`` and ``total`` give the rules
constants for the fixed ones, so a rule is written once for full models and sub-models alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ortools.sat.python import cp_model

from scheduling.roster.problem import Problem, Roster, Staff


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
    fixed: Roster | None = None  # incumbent for the cells that are not free
    free: dict[str, list[int]] | None = None  # staff id -> sorted free days; None: everything is free
    objective: Any = 0
    relaxed: bool = False  # hard seat minimums become heavily weighted seats (constructive start only)
    on_shift: dict[tuple[int, str], list[str]] = field(default_factory=dict)  # fixed people per day and shift
    free_on_day: dict[int, list[str]] = field(default_factory=dict)  # people with a free cell per day
    # every auxiliary variable (seat slacks, weekend flags, spread high/low) with its value in a given roster, so
    # a hint sets every variable: CP-SAT makes little of a hint it must complete itself
    derived: list[tuple[Any, Callable[[Roster], int]]] = field(default_factory=list)

    def derive(self, var, value: Callable[[Roster], int]):
        """Record how an auxiliary variable's value follows from a roster (for hints); returns the variable."""
        self.derived.append((var, value))
        return var

    def cell(self, staff: str, day: int, shift: str):
        """The literal 'staff works shift on day', or 0/1 when the cell is fixed."""
        var = self.x.get((staff, day, shift))
        if var is not None:
            return var
        if self.is_free(staff, day):
            return 0  # a free cell where this shift cannot be worked (see _variables)
        return int(self.fixed[staff][day] == shift)

    def worked(self, staff: str, day: int):
        """The literal 'staff works on day', or 0/1 when the cell is fixed."""
        var = self.work.get((staff, day))
        return var if var is not None else int(self.fixed[staff][day] != "")

    def total(self, staff: str, weight) -> Any:
        """Sum of weight(day, shift id) over the person's duties: the fixed days' part as one constant (read off
        the incumbent's row), the free days' part as a weighted sum of literals."""
        p = self.problem
        constant, free = 0, range(p.days)
        if self.free is not None:
            free = self.free.get(staff, [])
            chosen = set(free)
            constant = sum(weight(d, s) for d, s in enumerate(self.fixed[staff]) if s and d not in chosen)
        literals, weights = [], []
        for d in free:
            for shift in p.shifts:
                var = self.x.get((staff, d, shift.id))
                w = weight(d, shift.id) if var is not None else 0
                if w:
                    literals.append(var)
                    weights.append(w)
        return constant + cp_model.LinearExpr.weighted_sum(literals, weights) if literals else constant

    def is_free(self, staff: str, day: int) -> bool:
        """True when the cell is a variable of this model."""
        return (staff, day) in self.work

    def people(self) -> list[Staff]:
        """Staff with at least one free day (everybody in a full model)."""
        if self.free is None:
            return self.problem.staff
        return [p for p in self.problem.staff if self.free.get(p.id)]

    def span(self, staff: str, pad: int) -> range:
        """Days within `pad` of the person's free days (where a window can touch a variable)."""
        if self.free is None:
            return range(self.problem.days)
        days = self.free[staff]
        return range(max(days[0] - pad, 0), min(days[-1] + pad + 1, self.problem.days))

    def guard(self, words: str) -> list:
        """Enforcement literals for a hard rule: none normally, one named literal in explain mode."""
        if not self.explain:
            return []
        if words not in self.guards:
            self.guards[words] = self.model.new_bool_var(f"rule: {words}")
        return [self.guards[words]]

    def clause(self, literals: list, words: str) -> None:
        """At least one literal holds (when the rule's guard is on); constants are folded away."""
        open_literals = []
        for lit in literals:
            if isinstance(lit, int):
                if lit:
                    return
            else:
                open_literals.append(lit)
        if not open_literals:
            raise ValueError(f"the fixed part of the roster breaks a hard rule: {words}")
        self.model.add_bool_or(open_literals).only_enforce_if(self.guard(words))

    def linear(self, constraint, words: str) -> None:
        """A linear constraint (when the rule's guard is on); one over constants only is checked, not posted."""
        if isinstance(constraint, bool):
            if not constraint:
                raise ValueError(f"the fixed part of the roster breaks a hard rule: {words}")
            return
        self.model.add(constraint).only_enforce_if(self.guard(words))


def neg(lit):
    """Negation of a literal or of a 0/1 constant."""
    return 1 - lit if isinstance(lit, int) else lit.Not()


def add_variables(rm: RosterModel) -> None:
    # Each person works at most one shift a day; work[s, d] says whether they work at all. Outside explain mode,
    # shift types a person may never work (a limit of 0) and their fixed days off get no shift variables: those
    # cells are 0 (cell() says so) and the models are smaller. Pinned cells keep theirs, so a pin that breaks a
    # rule still makes the model infeasible, and explain mode (every variable) names the conflict.
    model, p = rm.model, rm.problem
    pinned = {(pin.staff, pin.day) for pin in p.pins}
    for person in rm.people():
        usable = p.shifts if rm.explain else [s for s in p.shifts if person.max_shifts.get(s.id, p.days) > 0]
        for day in (range(p.days) if rm.free is None else rm.free[person.id]):
            if (person.id, day) in pinned:
                allowed = p.shifts
            elif day in person.days_off and not rm.explain:
                allowed = []
            else:
                allowed = usable
            shifts = []
            for shift in allowed:
                var = model.new_bool_var(f"{person.id} works {shift.id} on day {day}")
                rm.x[person.id, day, shift.id] = var
                shifts.append(var)
            work = model.new_bool_var(f"{person.id} works on day {day}")
            rm.work[person.id, day] = work
            model.add(cp_model.LinearExpr.sum(shifts) == work if shifts else work == 0)


def index_fixed_cells(rm: RosterModel) -> None:
    """Who works what in the fixed cells, and who is free each day (so seats are counted without a full scan)."""
    for staff, days in rm.free.items():
        for day in days:
            rm.free_on_day.setdefault(day, []).append(staff)
    for staff, row in rm.fixed.items():
        free = set(rm.free.get(staff, ()))
        for day, shift in enumerate(row):
            if shift and day not in free:
                rm.on_shift.setdefault((day, shift), []).append(staff)
