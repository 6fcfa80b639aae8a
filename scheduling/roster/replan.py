"""Re-planning: a published roster and a change in, a new roster that changes as few duties as possible out.

Each duty that differs from the published roster costs the change weight (per person when given), on top of
the usual penalties; the published roster, minus the duties the change makes impossible, is the starting point.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from scheduling.common import CancelToken, ProgressCallback, SolverSettings, Words
from scheduling.roster.problem import Cover, Pin, Problem, Roster, Staff
from scheduling.roster.solve import RosterResult, solve


@dataclass(frozen=True)
class Unavailable:
    """A person cannot work from a day (to a day, inclusive; to the end when None)."""

    staff: str
    first_day: int
    last_day: int | None = None


@dataclass(frozen=True)
class SeatAdded:
    """More seats on a day and shift (optionally by legal area or language)."""

    day: int
    shift: str
    count: int = 1
    under_weight: int = 100
    area: str | None = None
    language: str | None = None
    hard: bool = False
    city: str | None = None


Change = Unavailable | SeatAdded


@dataclass(frozen=True)
class DutyChange:
    """One duty that differs from the published roster."""

    staff: str
    day: int
    before: str
    after: str
    words: str


@dataclass
class Replan:
    """The new roster's solve result and the list of duties it changes."""

    result: RosterResult
    changes: list[DutyChange]


def apply_change(problem: Problem, change: Change) -> Problem:
    """The problem with the change applied (a new Problem; the old one is untouched)."""
    if isinstance(change, Unavailable):
        last = problem.days - 1 if change.last_day is None else min(change.last_day, problem.days - 1)
        staff = [dataclasses.replace(p, days_off=p.days_off | frozenset(range(change.first_day, last + 1)))
                 if p.id == change.staff else p for p in problem.staff]
        if staff == problem.staff:
            raise ValueError(f"unknown staff {change.staff!r}")
        pins = [pin for pin in problem.pins if not (pin.staff == change.staff and change.first_day <= pin.day <= last
                                                    and pin.shift)]
        return dataclasses.replace(problem, staff=staff, pins=pins)
    covers = list(problem.covers)
    for i, cover in enumerate(covers):
        if (cover.day, cover.shift, cover.area, cover.language, cover.city) == (
                change.day, change.shift, change.area, change.language, change.city):
            hard_min = cover.requirement + change.count if change.hard else cover.hard_min
            covers[i] = dataclasses.replace(cover, requirement=cover.requirement + change.count, hard_min=hard_min)
            break
    else:
        covers.append(Cover(change.day, change.shift, change.count, change.under_weight, 0, change.area,
                            change.language, change.count if change.hard else None, change.city))
    return dataclasses.replace(problem, covers=covers)


def replan(problem: Problem, published: Roster, changes: list[Change], settings: SolverSettings | None = None,
           change_weight: int = 50, frozen_before: int | None = None, on_progress: ProgressCallback | None = None,
           cancel: CancelToken | None = None) -> Replan:
    """New roster after the changes, changing as few published duties as possible; days before `frozen_before`
    (already worked) are pinned as published."""
    new = problem
    for change in changes:
        new = apply_change(new, change)
    pins = list(new.pins)
    if frozen_before:
        pins += [Pin(p.id, d, published[p.id][d]) for p in new.staff for d in range(min(frozen_before, new.days))]
    new = dataclasses.replace(new, published=published, change_weight=change_weight, pins=pins)
    start = _still_possible(new, published)
    result = solve(new, settings, on_progress, cancel, hint=start)
    return Replan(result, diff(new, published, result.roster) if result.roster else [])


def _still_possible(problem: Problem, published: Roster) -> Roster:
    """The published roster with the duties on new days off removed (a starting point for the search)."""
    staff: dict[str, Staff] = problem.staff_index
    return {sid: ["" if d in staff[sid].days_off else shift for d, shift in enumerate(row)]
            for sid, row in published.items() if sid in staff}


def diff(problem: Problem, before: Roster, after: Roster) -> list[DutyChange]:
    """The duties that differ between two rosters, in words."""
    changes = []
    for person in problem.staff:
        for day in range(problem.days):
            old, new = before.get(person.id, [""] * problem.days)[day], after[person.id][day]
            if old != new:
                label = problem.day_label(day)
                words = Words(f"{person.label} on {label}: {_duty(problem, old)} -> {_duty(problem, new)}",
                              "changed_duty", staff=person.id, day=day, before=old, after=new)
                changes.append(DutyChange(person.id, day, old, new, words))
    return changes


def _duty(problem: Problem, shift: str) -> str:
    """'night' or 'off'."""
    return problem.shift(shift).label if shift else "off"
