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
from scheduling.roster.problem import Problem, Request, Roster

# share of neighbourhoods drawn around a cost of the incumbent (0.5 before: 13, 15 and 19 gained over three seeds)
FOCUS = 0.8
# at most this many people in a step over every group's spread (the province's first such step frees 52)
SPREAD_PEOPLE = 80
# a step over every unmet request that can be met is taken when they and one holder each are at most this many
REQUEST_PEOPLE = 120


@dataclass
class Costs:
    """What a roster pays for, as penalty items with weights to draw them by (their costs)."""

    roster: Roster | None = None
    items: list[PenaltyItem] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)

    def of(self, problem: Problem, roster: Roster) -> "Costs":
        """The costs of `roster` (recomputed only when the roster is another object than last time)."""
        if roster is not self.roster:
            self.items = [item for item in evaluate(problem, roster) if item.cost > 0 and not unavoidable(problem, item)]
            self.weights = [item.cost for item in self.items]
            self.roster = roster
        return self

    def draw(self, rng: random.Random) -> PenaltyItem | None:
        """One cost, drawn in proportion to what it costs (None when the roster costs nothing)."""
        return rng.choices(self.items, self.weights)[0] if self.items else None


def unavoidable(problem: Problem, item: PenaltyItem) -> bool:
    """True for a request no roster meets (``Problem.unmeetable``): a step aimed at it cannot remove it."""
    if item.rule not in ("shift-on request", "shift-off request"):
        return False
    request = Request(item.staff, item.day, item.words.params["shift"], item.cost)
    return problem.unmeetable(request, on=item.rule == "shift-on request")


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
    """The days each person may change: mostly (FOCUS) around a cost of the incumbent `best`; for the kinds over
    every cost of one kind ("spreads", "requests"), none when there is nothing of that kind to remove."""
    p = problem
    ids = [s.id for s in p.staff]
    item = costs.of(p, best).draw(rng) if rng.random() < FOCUS else None
    if kind == "spreads":
        # every group's spread at once (duty counts move between groups, which one group's step cannot do), and a
        # few people drawn at random
        people = dict.fromkeys(spread_extremes(p, best, rng))
        if not people:
            return {}
        people.update(dict.fromkeys(rng.sample(ids, min(len(ids), round(size * len(ids))))))
        return {s: list(range(p.days)) for s in people}
    if kind == "requests":
        people = dict.fromkeys(request_people(p, best, size, rng))
        return {s: list(range(p.days)) for s in people}
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
    counts = problem.duty_counts(roster, unpopular)
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


def spread_extremes(problem: Problem, roster: Roster, rng: random.Random, limit: int = 0) -> list[str]:
    """People who could narrow every fairness spread together: in each group with one, its fewer side (both sides
    when the spread is two or more), for the duties and for the unpopular duties when each is weighed; at most
    `limit` (SPREAD_PEOPLE when 0) of them, drawn at random. On the province, a spread of one in five city groups
    needs unpopular duties to move between groups (6, 9 and 7 people with 2 in three of them, 8 and 9 with none in
    two others): one step over these 52 people gains 3 in 2 s where steps around one group's spread gain nothing."""
    found: dict[str, None] = {}
    for unpopular, weight in ((False, problem.fairness.duties), (True, problem.fairness.unpopular)):
        if not weight:
            continue
        counts = problem.duty_counts(roster, unpopular)
        for members in problem.groups.values():
            if len(members) < 2:
                continue
            outliers, other, _ = spread_sides(counts, members)
            found.update(dict.fromkeys(outliers))
            if outliers and abs(counts[outliers[0]] - counts[other[0]]) >= 2:
                found.update(dict.fromkeys(other))
    people = list(found)
    limit = limit or SPREAD_PEOPLE
    return people if len(people) <= limit else rng.sample(people, limit)


def request_people(problem: Problem, roster: Roster, share: float, rng: random.Random,
                   limit: int = 0) -> list[str]:
    """People who could meet the unmet shift-on requests together: every requester whose request can be met, each
    with a `share` (at least one) of the people working the shift asked for that day, drawn at random. On the
    province, one step over the 20-odd such requests and one holder each (70 people) gains one or two in 1-3 s,
    where steps around one request at a time had stalled. None when the requests and one holder each are more than
    `limit` (REQUEST_PEOPLE when 0) people: the step is for moving them all at once (the generated duty periods
    leave 200-450 unmet, and steps over 60-120 of them were slower than steps around one)."""
    unmet = problem.unmet_requests(roster)
    limit = limit or REQUEST_PEOPLE
    if 2 * len(unmet) > limit:
        return []
    rng.shuffle(unmet)
    people: dict[str, None] = {}
    for r in unmet:
        holders = [s for s, row in roster.items() if row[r.day] == r.shift and s != r.staff]
        people[r.staff] = None
        people.update(dict.fromkeys(rng.sample(holders, min(len(holders), max(1, round(share * len(holders)))))))
    return list(people)


def has_spread(problem: Problem) -> bool:
    """True when the period weighs fairness and some group has two or more people to compare."""
    return bool(problem.fairness.duties or problem.fairness.unpopular) and \
        any(len(members) > 1 for members in problem.groups.values())


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
