"""Exchange moves between two or three people, priced exactly in microseconds: the moves a neighbourhood-search
step finds in a second of CP-SAT, tried by the hundred thousand between steps.

The roster's cost is kept up to date cell by cell (``Ledger``): seats filled per seat group, duty counts per
person for the fairness rule, and the requests and published duties of the cells that change. A move is a few
cell changes; it is applied when every changed row still keeps its person's rules (``row_ok``), every seat keeps
its hard minimum, and the roster's cost falls. The moves:
- for an unmet shift-on request, the requester takes the seat from someone on it, who takes the requester's
  duty of that day (or one of the requester's other duties, so neither works more or less);
- for a fairness spread, the group's fewer side gives one of its duties to someone off that day (or takes one
  from someone on it), so the spread's last outliers move;
- once those find nothing, three-person cycles for the requests (``cycle_moves``).
On the province period (420 lawyers) the construction's start costs about 1,600 and is a local optimum for
re-planning one person at a time; most of its cost (unmet requests, people over cover, spreads) needs two people
to move at once.
"""
from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable, Iterator

from scheduling.roster.neighbourhoods import spread_sides
from scheduling.roster.problem import Problem, Roster, Staff

_TRACE = bool(os.environ.get("ROSTER_TRACE"))
Change = tuple[str, int, str]  # (person, day, new shift or "")
CYCLES = 3000  # three-person cycles drawn for a request no two-person move meets
# a pass of cycles that gains less than this share of the roster's cost per second ends the moves (Curtois 12 and
# 19: 60-70 of 4,000-7,000 in 16-24 s, where the neighbourhood search gains more)
SLOW = 0.002


def row_ok(problem: Problem, person: Staff, row: list[str], successions: set[tuple[str, str]],
           weekend_of: list[int | None]) -> bool:
    """True when the row keeps every rule of its person (the hard rules that concern one person)."""
    days = problem.days
    for day in person.days_off:
        if row[day]:
            return False
    minutes = 0
    for day, shift in enumerate(row):
        if shift:
            minutes += problem.shift(shift).minutes
            if day + 1 < days and row[day + 1] and (shift, row[day + 1]) in successions:
                return False
    if minutes < person.min_minutes or (person.max_minutes is not None and minutes > person.max_minutes):
        return False
    for shift, limit in person.max_shifts.items():
        if limit < days and row.count(shift) > limit:
            return False
    if person.max_weekends is not None:
        if len({weekend_of[d] for d in range(days) if row[d] and weekend_of[d] is not None}) > person.max_weekends:
            return False
    # runs of working days and of days off (runs touching an end of the period are exempt from the minimums)
    first = 0
    for day in range(1, days + 1):
        if day == days or bool(row[day]) != bool(row[first]):
            length, inner = day - first, first > 0 and day < days
            if row[first]:
                if person.max_consecutive is not None and length > person.max_consecutive:
                    return False
                if inner and length < person.min_consecutive:
                    return False
            elif inner and length < person.min_days_off:
                return False
            first = day
    return True


class Ledger:
    """A roster and its cost, kept up to date as cells change."""

    def __init__(self, problem: Problem, roster: Roster):
        p = self.problem = problem
        self.roster = {s: list(row) for s, row in roster.items()}
        self.successions = p.forbidden_successions()
        self.weekend_of: list[int | None] = [None] * p.days
        for index, days in enumerate(p.weekends()):
            for day in days:
                self.weekend_of[day] = index
        self.pinned = {(pin.staff, pin.day) for pin in p.pins}
        self.covers_at: dict[tuple[int, str], list[int]] = {}
        self.qualified: list[set[str]] = []
        for index, cover in enumerate(p.covers):
            self.covers_at.setdefault((cover.day, cover.shift), []).append(index)
            self.qualified.append(set(p.qualified(cover)))
        self.filled = [sum(1 for s in self.qualified[i] if self.roster[s][c.day] == c.shift)
                       for i, c in enumerate(p.covers)]
        # the published duty of each person's cells, when changes to it cost something
        self.published = ({s.id: p.published.get(s.id, [""] * p.days) for s in p.staff}
                          if p.published is not None and p.change_weight else None)
        self.on: dict[tuple[str, int], list[tuple[str, int]]] = {}
        self.off: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for requests, table in ((p.on_requests, self.on), (p.off_requests, self.off)):
            for r in requests:
                if r.weight:
                    table.setdefault((r.staff, r.day), []).append((r.shift, r.weight))
        self.group_of = {s.id: s.group for s in p.staff}
        self.members = p.groups
        self.weights = {False: p.fairness.duties, True: p.fairness.unpopular}
        self.unpopular = {(d, s.id): p.is_unpopular(d, s.id) for d in range(p.days) for s in p.shifts}
        self.counts = {u: p.duty_counts(self.roster, u) for u in (False, True)}
        # after delta(): how the number of people on the fewer side of unchanged spreads changed (a move that
        # costs nothing but takes one of a spread's last outliers off it is a step towards narrowing it)
        self.outliers = 0
        # per group, how many members have each count: a spread after a move is read from a few keys
        self.histogram: dict[bool, dict[str, dict[int, int]]] = {u: {g: {} for g in p.groups} for u in (False, True)}
        for u, counts in self.counts.items():
            for person in counts:
                self._tally(u, person, 1)

    def _tally(self, unpopular: bool, person: str, sign: int) -> None:
        """Count the person's duty count in their group's histogram (or take it out with sign -1)."""
        table = self.histogram[unpopular][self.group_of[person]]
        count = self.counts[unpopular][person]
        table[count] = table.get(count, 0) + sign
        if not table[count]:
            del table[count]

    def _cell_cost(self, person: str, day: int, shift: str) -> int:
        """The person's own terms of one cell: requests and a change to the published roster."""
        cost = 0
        for s, w in self.on.get((person, day), ()):
            cost += w * (s != shift)
        for s, w in self.off.get((person, day), ()):
            cost += w * (s == shift)
        if self.published is not None:
            cost += self.problem.change_weight * (self.published[person][day] != shift)
        return cost

    def _spread_change(self, unpopular: bool, moved: dict[str, int]) -> int:
        """How the groups' spreads change when people's counts change by `moved` (person: change)."""
        change = 0
        groups: dict[str, dict[int, int]] = {}
        counts = self.counts[unpopular]
        for person, step in moved.items():
            if not step:
                continue
            group = self.group_of[person]
            table = groups.get(group)
            if table is None:
                table = groups[group] = dict(self.histogram[unpopular][group])
            table[counts[person]] -= 1
            table[counts[person] + step] = table.get(counts[person] + step, 0) + 1
        for group, table in groups.items():
            if len(self.members[group]) < 2:
                continue
            before = self.histogram[unpopular][group]
            after = [k for k, n in table.items() if n]
            high, low = max(after), min(after)
            was_high, was_low = max(before), min(before)
            change += (high - low) - (was_high - was_low)
            if high - low == was_high - was_low and high > low:
                self.outliers += min(table[high], table[low]) - min(before[was_high], before[was_low])
        return change

    def delta(self, changes: list[Change], below: float = float("inf")) -> int | None:
        """What the roster's cost would change by with these cells changed (at most one change per cell), or None
        when a seat would fall below its hard minimum, a row would break its person's rules or the change is not
        below `below` (the rows, the slowest part, are checked last)."""
        p = self.problem
        cost = 0
        self.outliers = 0
        seats: dict[int, int] = {}
        people: dict[str, list[str]] = {}
        duties: dict[str, int] = {}
        unpopular: dict[str, int] = {}
        for person, day, shift in changes:
            old = self.roster[person][day]
            if old == shift:
                continue
            if (person, day) in self.pinned:
                return None
            cost += self._cell_cost(person, day, shift) - self._cell_cost(person, day, old)
            if old:
                for index in self.covers_at.get((day, old), ()):
                    if person in self.qualified[index]:
                        seats[index] = seats.get(index, 0) - 1
            if shift:
                for index in self.covers_at.get((day, shift), ()):
                    if person in self.qualified[index]:
                        seats[index] = seats.get(index, 0) + 1
            duties[person] = duties.get(person, 0) + bool(shift) - bool(old)
            unpopular[person] = (unpopular.get(person, 0) + (bool(shift) and self.unpopular[day, shift])
                                 - (bool(old) and self.unpopular[day, old]))
            row = people.get(person)
            if row is None:
                row = people[person] = list(self.roster[person])
            row[day] = shift
        for index, change in seats.items():
            if change:
                cover = p.covers[index]
                filled = self.filled[index]
                if cover.hard_min and filled + change < cover.hard_min:
                    return None
                cost += cover.cost(filled + change) - cover.cost(filled)
        for unpopular_only, moved in ((False, duties), (True, unpopular)):
            weight = self.weights[unpopular_only]
            if weight:
                cost += weight * self._spread_change(unpopular_only, moved)
        if cost >= below:
            return None
        staff = p.staff_index
        for person, row in people.items():
            if not row_ok(p, staff[person], row, self.successions, self.weekend_of):
                return None
        return cost

    def apply(self, changes: list[Change]) -> None:
        """Make the changes (checked by delta first)."""
        for person, day, shift in changes:
            old = self.roster[person][day]
            if old == shift:
                continue
            for value, sign in ((old, -1), (shift, 1)):
                if value:
                    for index in self.covers_at.get((day, value), ()):
                        if person in self.qualified[index]:
                            self.filled[index] += sign
            self.roster[person][day] = shift
        for person in {c[0] for c in changes}:
            for unpopular in (False, True):
                self._tally(unpopular, person, -1)
                self.counts[unpopular][person] = self.problem.duty_count(self.roster[person], unpopular)
                self._tally(unpopular, person, 1)


def request_moves(ledger: Ledger, person: str, day: int, shift: str) -> list[list[Change]]:
    """Ways for `person` to get `shift` on `day` from someone working it: swap that day, or also give them one of
    the requester's other duties (on a day they are off) so that both work as many duties as before."""
    roster = ledger.roster
    mine = roster[person]
    old = mine[day]
    moves: list[list[Change]] = [[(person, day, shift)]]
    for other, row in roster.items():
        if other == person or row[day] != shift:
            continue
        moves.append([(person, day, shift), (other, day, old)])
        if not old:
            for d2, duty in enumerate(mine):
                if duty and d2 != day and not row[d2]:
                    moves.append([(person, day, shift), (person, d2, ""), (other, day, ""), (other, d2, duty)])
    return moves


def cycle_moves(ledger: Ledger, person: str, day: int, shift: str, rng: random.Random,
                limit: int = CYCLES) -> Iterator[list[Change]]:
    """Three-person cycles for a requester off that day: they take the seat from someone on it (B) and give up one
    of their duties (X) to a third person (C), who gives one of theirs to B, so nobody works more or less and
    every seat keeps its people; at most `limit` of them, drawn at random."""
    roster = ledger.roster
    mine = roster[person]
    if mine[day]:
        return
    holders = [b for b, row in roster.items() if row[day] == shift and b != person]
    mine_days = [(d3, s3) for d3, s3 in enumerate(mine) if s3 and d3 != day]
    if not holders or not mine_days:
        return
    people = list(roster)
    for _ in range(limit):
        b, (d3, s3), c = rng.choice(holders), rng.choice(mine_days), rng.choice(people)
        theirs, hers = roster[b], roster[c]
        if c in (person, b) or hers[d3]:
            continue
        for d2, s2 in enumerate(hers):
            if s2 and d2 not in (day, d3) and not theirs[d2]:
                yield [(person, day, shift), (person, d3, ""), (b, day, ""), (b, d2, s2), (c, d2, ""), (c, d3, s3)]


def spread_moves(ledger: Ledger, group: str, unpopular: bool, rng: random.Random) -> Iterator[list[Change]]:
    """Moves of one duty between the group's fewer side (those with the most duties, or the fewest) and anyone
    who could take it from them (off that day) or give them one (on that day)."""
    p, roster = ledger.problem, ledger.roster
    counts = ledger.counts[unpopular]
    outliers, _, giving = spread_sides(counts, ledger.members[group])
    if not outliers:
        return

    def partner(other: str) -> bool:
        """True when a duty may move to (from) `other` without widening their group's spread: in this group (its
        spread is the one to narrow), alone in theirs, or below their group's most (above its fewest)."""
        theirs = ledger.group_of[other]
        table = ledger.histogram[unpopular][theirs]
        if theirs == group or len(ledger.members[theirs]) < 2:
            return True
        return counts[other] < max(table) if giving else counts[other] > min(table)

    partners = [(other, row) for other, row in roster.items() if partner(other)]
    rng.shuffle(partners)
    for m in outliers:
        mine = roster[m]
        for day, duty in enumerate(mine):
            if giving and duty and (not unpopular or p.is_unpopular(day, duty)):
                for other, row in partners:
                    if not row[day] and other != m:
                        yield [(m, day, ""), (other, day, duty)]
                        if unpopular:
                            # and take one of their popular duties, so both keep as many duties
                            yield from ([(m, day, ""), (other, day, duty), (other, d2, ""), (m, d2, theirs)]
                                        for d2, theirs in enumerate(row) if theirs and not mine[d2]
                                        and not p.is_unpopular(d2, theirs))
            elif not giving and not duty:
                for other, row in partners:
                    if row[day] and (not unpopular or p.is_unpopular(day, row[day])):
                        yield [(m, day, row[day]), (other, day, "")]
                        if unpopular:
                            yield from ([(m, day, row[day]), (other, day, ""), (m, d2, ""), (other, d2, ours)]
                                        for d2, ours in enumerate(mine) if ours and not row[d2]
                                        and not p.is_unpopular(d2, ours))


def improve(problem: Problem, roster: Roster, deadline: float, rng: random.Random,
            stop: Callable[[], bool] = lambda: False, value: float | None = None) -> tuple[Roster, int]:
    """Passes of exchange moves over the roster's unmet shift-on requests and fairness spreads, applying the best
    improving two-person move of each, until a pass improves nothing; then passes that also draw three-person
    cycles for the requests (slower: they start only when the cheap moves are spent, and hand back to them when
    they gain). Ends at the deadline, or, given the roster's cost `value`, after a pass that gained less than
    SLOW of the cost per second (the neighbourhood search gains faster then); (the roster, what it gained)."""
    ledger = Ledger(problem, roster)
    gained = 0
    cycles = False

    def slow(began: float, before: int) -> bool:
        """True when a pass of cycles running since `began` gains too slowly to go on (after a second of it)."""
        seconds = time.monotonic() - began
        return value is not None and seconds > 1.0 and gained - before < SLOW * (value - gained) * seconds

    while time.monotonic() < deadline and not stop():
        began, before, drew = time.monotonic(), gained, cycles
        improved = False
        targets: list[tuple] = [("request", r) for r in problem.unmet_requests(ledger.roster)]
        targets += [("spread", group, unpopular) for group in ledger.members for unpopular, weight in
                    ledger.weights.items() if weight]
        rng.shuffle(targets)
        for target in targets:
            if time.monotonic() >= deadline or stop() or (drew and slow(began, before)):
                break
            move, change = _best_move(ledger, target, cycles, rng)
            if move is not None:
                ledger.apply(move)
                gained -= change
                improved = True
        if _TRACE:
            print(f"exchange: pass{' with cycles' if drew else ''} gained {gained - before} in "
                  f"{time.monotonic() - began:.2f} s", file=sys.stderr)
        if (drew and slow(began, before)) or (drew and not improved):
            break
        cycles = not improved  # cycles once a pass of cheap moves gained nothing, cheap moves again once they gain
    return ledger.roster, gained


def _best_move(ledger: Ledger, target: tuple, cycles: bool, rng: random.Random) -> tuple[list[Change] | None, int]:
    """The move taken for one target (an unmet request or a group's spread), and what it changes the cost by."""
    if target[0] == "spread":
        # thousands of ways to move a duty between an outlier and a partner: the first that gains is taken; a
        # spread narrows only when its last outlier moves, so a move that costs nothing and leaves fewer outliers
        # is taken too (each shrinks that count, so passes end)
        for move in spread_moves(ledger, target[1], target[2], rng):
            change = ledger.delta(move, 1)
            if change is not None and (change < 0 or ledger.outliers < 0):
                return move, change
        return None, 0
    r = target[1]
    if ledger.roster[r.staff][r.day] == r.shift:
        return None, 0
    best, best_change = None, 0
    for move in request_moves(ledger, r.staff, r.day, r.shift):
        change = ledger.delta(move, best_change)
        if change is not None:
            best, best_change = move, change
    if best is None and cycles:
        for move in cycle_moves(ledger, r.staff, r.day, r.shift, rng):
            change = ledger.delta(move, 0)
            if change is not None:
                return move, change
    return best, best_change
