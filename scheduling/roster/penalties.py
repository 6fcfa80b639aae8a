"""What a roster costs and why: each penalty in the coordinator's words, summed by rule and by person."""
from __future__ import annotations

from dataclasses import dataclass

from scheduling.common import Words
from scheduling.roster.model import cover_label, seat_params
from scheduling.roster.problem import Problem, Roster

PLURALS = {
    "shift-on request": "unmet shift-on requests",
    "shift-off request": "unmet shift-off requests",
    "seat short": "empty seats",
    "seat over": "people over cover",
    "duty spread": "duties of spread between comparable staff",
    "unpopular duty spread": "unpopular duties of spread between comparable staff",
    "changed duty": "changed duties",
}


@dataclass(frozen=True)
class PenaltyItem:
    """One reason the roster costs something, e.g. 'Tuesday 12th night seat 1 short: 100'."""

    rule: str
    cost: int
    words: str
    staff: str | None = None
    day: int | None = None
    amount: int = 1  # how many requests, seats or duties this item counts


def evaluate(problem: Problem, roster: Roster) -> list[PenaltyItem]:
    """Every non-zero penalty of a roster (the objective is the sum of their costs)."""
    items: list[PenaltyItem] = []
    staff = problem.staff_index
    for r in problem.on_requests:
        if r.weight and roster[r.staff][r.day] != r.shift:
            words = Words(f"{staff[r.staff].label} asked to work {problem.shift(r.shift).label} on "
                          f"{problem.day_label(r.day)}: {r.weight}", "on_request", staff=r.staff, shift=r.shift,
                          day=r.day, cost=r.weight)
            items.append(PenaltyItem("shift-on request", r.weight, words, r.staff, r.day))
    for r in problem.off_requests:
        if r.weight and roster[r.staff][r.day] == r.shift:
            words = Words(f"{staff[r.staff].label} asked not to work {problem.shift(r.shift).label} on "
                          f"{problem.day_label(r.day)}: {r.weight}", "off_request", staff=r.staff, shift=r.shift,
                          day=r.day, cost=r.weight)
            items.append(PenaltyItem("shift-off request", r.weight, words, r.staff, r.day))
    for cover in problem.covers:
        n = problem.filled(cover, roster)
        where = f"{problem.day_label(cover.day)} {cover_label(problem, cover)}"
        if n < cover.requirement and cover.under_weight:
            missing = cover.requirement - n
            seats = f"seat {n + 1}" if missing == 1 else f"seats {n + 1}-{cover.requirement}"
            cost = missing * cover.under_weight
            words = Words(f"{where} {seats} short: {cost}", "seat_short", day=cover.day, **seat_params(cover),
                          first=n + 1, last=cover.requirement, cost=cost)
            items.append(PenaltyItem("seat short", cost, words, None, cover.day, missing))
        if n > cover.requirement and cover.over_weight:
            extra = n - cover.requirement
            cost = extra * cover.over_weight
            words = Words(f"{where} {extra} over: {cost}", "seat_over", day=cover.day, **seat_params(cover),
                          count=extra, cost=cost)
            items.append(PenaltyItem("seat over", cost, words, None, cover.day, extra))
    items.extend(_fairness(problem, roster))
    items.extend(_changes(problem, roster))
    return items


def _changes(problem: Problem, roster: Roster) -> list[PenaltyItem]:
    """Duties that differ from the published roster, when re-planning."""
    if problem.published is None or not problem.change_weight:
        return []
    items = []
    for person in problem.staff:
        before_days = problem.published.get(person.id, [""] * problem.days)
        for day, (before, after) in enumerate(zip(before_days, roster[person.id])):
            if before != after:
                words = Words(f"{person.label} on {problem.day_label(day)}: {_duty(problem, before)} -> "
                              f"{_duty(problem, after)}: {problem.change_weight}", "changed_duty", staff=person.id,
                              day=day, before=before, after=after, cost=problem.change_weight)
                items.append(PenaltyItem("changed duty", problem.change_weight, words, person.id, day))
    return items


def _duty(problem: Problem, shift: str) -> str:
    """'night' or 'off'."""
    return problem.shift(shift).label if shift else "off"


def _fairness(problem: Problem, roster: Roster) -> list[PenaltyItem]:
    """Spread of duties and of unpopular duties within each group of comparable staff."""
    items = []
    for group, members in problem.groups.items():
        if len(members) < 2:
            continue
        for rule, weight, unpopular in (("duty spread", problem.fairness.duties, False),
                                        ("unpopular duty spread", problem.fairness.unpopular, True)):
            if not weight:
                continue
            counts = {m: problem.duty_count(roster[m], unpopular) for m in members}
            spread = max(counts.values()) - min(counts.values())
            if spread:
                most = max(counts, key=lambda m: counts[m])
                least = min(counts, key=lambda m: counts[m])
                name = f"group {group}" if group else "all staff"
                words = Words(f"{rule} in {name}: {problem.staff_index[most].label} has {counts[most]}, "
                              f"{problem.staff_index[least].label} {counts[least]}: {spread * weight}",
                              "unpopular_spread" if unpopular else "duty_spread", group=group, most=most,
                              most_count=counts[most], least=least, least_count=counts[least],
                              cost=spread * weight)
                items.append(PenaltyItem(rule, spread * weight, words, None, None, spread))
    return items


def objective(items: list[PenaltyItem]) -> int:
    """Total cost of the penalties."""
    return sum(item.cost for item in items)


def by_rule(items: list[PenaltyItem]) -> dict[str, dict]:
    """{rule: {count, cost, words}} e.g. words '3 unmet shift-on requests: 42'."""
    summary: dict[str, dict] = {}
    for item in items:
        entry = summary.setdefault(item.rule, {"count": 0, "cost": 0})
        entry["count"] += item.amount
        entry["cost"] += item.cost
    for rule, entry in summary.items():
        entry["words"] = f"{entry['count']} {PLURALS.get(rule, rule)}: {entry['cost']}"
    return summary


def by_person(items: list[PenaltyItem]) -> dict[str, int]:
    """Cost of the penalties that concern one person (requests), by staff id."""
    summary: dict[str, int] = {}
    for item in items:
        if item.staff is not None:
            summary[item.staff] = summary.get(item.staff, 0) + item.cost
    return summary
