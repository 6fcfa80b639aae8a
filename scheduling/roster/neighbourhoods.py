"""Which cells a neighbourhood-search step frees: people, a window of days or a block of both, mostly drawn
around what the incumbent roster pays for.

A step aimed at a cost frees the people who could remove it together: for an unmet shift-on request, the person
and those working the shift they asked for that day (one of them must give the seat up); for a shift-off request
met anyway, the person and people off that day; for an empty seat, people off that day; for a crowded seat, the
people on that day; for a fairness spread, the group's members with the most and the fewest duties. The rest of
the step's people are drawn at random, and windows of days are centred on the cost's day.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from scheduling.roster.penalties import PenaltyItem, evaluate
from scheduling.roster.problem import Problem, Roster

# share of neighbourhoods drawn around a cost of the incumbent (0.5 before: 13, 15 and 19 gained over three seeds)
FOCUS = 0.8


@dataclass
class Costs:
    """What a roster pays for, as penalty items with weights to draw them by (their costs)."""

    roster: Roster | None = None
    items: list[PenaltyItem] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)

    def of(self, problem: Problem, roster: Roster) -> "Costs":
        """The costs of `roster` (recomputed only when the roster is another object than last time)."""
        if roster is not self.roster:
            self.items = [item for item in evaluate(problem, roster) if item.cost > 0]
            self.weights = [item.cost for item in self.items]
            self.roster = roster
        return self

    def draw(self, rng: random.Random) -> PenaltyItem | None:
        """One cost, drawn in proportion to what it costs (None when the roster costs nothing)."""
        return rng.choices(self.items, self.weights)[0] if self.items else None


def related(problem: Problem, roster: Roster, item: PenaltyItem, rng: random.Random, count: int) -> list[str]:
    """Up to `count` people who could remove the cost `item` together, the person it concerns first."""
    params = item.words.params
    day, shift = item.day, params.get("shift")
    staff = problem.staff_index
    if item.rule in ("shift-on request", "seat over"):
        others = [s for s, row in roster.items() if row[day] == shift]
    elif item.rule in ("shift-off request", "seat short"):
        others = [s for s, row in roster.items() if not row[day] and day not in staff[s].days_off]
    elif item.rule in ("duty spread", "unpopular duty spread"):
        return _spread_people(problem, roster, params["group"], item.rule == "unpopular duty spread", rng, count)
    else:
        others = []
    people = [item.staff] if item.staff is not None else []
    rng.shuffle(others)
    people += [s for s in others if s != item.staff][:max(count - len(people), 0)]
    return people


def free_cells(problem: Problem, kind: str, size: float, rng: random.Random, best: Roster,
               costs: Costs) -> dict[str, list[int]]:
    """The days each person may change: mostly (FOCUS) around a cost of the incumbent `best`."""
    p = problem
    ids = [s.id for s in p.staff]
    item = costs.of(p, best).draw(rng) if rng.random() < FOCUS else None
    if kind == "staff":
        count = max(1, min(len(ids), round(size * len(ids))))
        people: dict[str, None] = {}  # ordered, so a seeded search repeats
        if item is not None:
            # at most half of them, so the step can also move people the cost does not name
            people.update(dict.fromkeys(related(p, best, item, rng, max(1, count // 2))))
        people.update(dict.fromkeys(rng.sample(ids, count)))
        return {s: list(range(p.days)) for s in list(people)[:count]}
    share = 1.0 if kind == "days" else max(size, 0.01) ** 0.5
    width = max(1, min(p.days, round((size if kind == "days" else share) * p.days)))
    if item is not None and item.day is not None:
        first = min(max(item.day - rng.randrange(width), 0), p.days - width)
    else:
        first = rng.randrange(p.days - width + 1)
    if kind == "days":
        return {s: list(range(first, first + width)) for s in ids}
    # block: a share of the people over a window, both the square root of the size
    count = max(1, min(len(ids), round(share * len(ids))))
    people = dict.fromkeys(related(p, best, item, rng, max(1, count // 2)) if item is not None else [])
    people.update(dict.fromkeys(rng.sample(ids, count)))
    return {s: list(range(first, first + width)) for s in list(people)[:count]}


def _spread_people(problem: Problem, roster: Roster, group: str, unpopular: bool, rng: random.Random,
                   count: int) -> list[str]:
    """Up to `count` people who could narrow a group's spread of duties: the fewer side of it (the members with the
    most duties when they are fewer than those with the fewest, else those with the fewest) first, then partners a
    duty could move to or from: the group's other side, and people of other groups who can give (take) a duty
    without widening their own group's spread, as the spread only narrows when its last outlier moves and the
    group's total is what often keeps it open (31 members with 4 duties and 3 with 5 need 3 duties to leave)."""
    counts = {s.id: problem.duty_count(roster[s.id], unpopular) for s in problem.staff}
    outliers, inside, give = spread_sides(counts, problem.groups[group])
    outside = []
    for other, people in problem.groups.items():
        if other == group:
            continue
        top, bottom = max(counts[m] for m in people), min(counts[m] for m in people)
        if len(people) == 1 or top > bottom:  # a lone person's count is compared with nobody
            outside += [m for m in people if counts[m] == (bottom if give else top)]
    for side in (outliers, inside, outside):
        rng.shuffle(side)
    people = outliers[:max(1, count // 2)]
    partners = [m for pair in zip(inside, outside) for m in pair] + inside[len(outside):] + outside[len(inside):]
    return people + partners[:max(count - len(people), 0)]


def spread_sides(counts: dict[str, int], members: list[str]) -> tuple[list[str], list[str], bool]:
    """A group's spread as its fewer side (the members with the most duties when they are no more than those with
    the fewest, else those with the fewest: they must all move for the spread to narrow), its other side, and True
    when the fewer side is the one with the most (it gives duties away); ([], [], True) when there is no spread."""
    high, low = max(counts[m] for m in members), min(counts[m] for m in members)
    if high == low:
        return [], [], True
    most = [m for m in members if counts[m] == high]
    fewest = [m for m in members if counts[m] == low]
    return (most, fewest, True) if len(most) <= len(fewest) else (fewest, most, False)
