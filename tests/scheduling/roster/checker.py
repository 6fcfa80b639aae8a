"""Independent roster checker: recomputes hard-rule violations and the objective from scratch.

Written from the rules in the Curtois README and the Problem docstrings, without using the engine's model or
penalty code, so a test comparing the two catches a bug in either.
"""
from __future__ import annotations

import itertools


def runs(flags: list[bool]) -> list[tuple[int, int, bool]]:
    """Maximal runs as (first day, length, value)."""
    out = []
    start = 0
    for day in range(1, len(flags) + 1):
        if day == len(flags) or flags[day] != flags[start]:
            out.append((start, day - start, flags[start]))
            start = day
    return out


def weekday(problem, day: int) -> int:
    """0 Monday .. 6 Sunday."""
    first = problem.start.weekday() if problem.start else 0
    return (first + day) % 7


def violations(problem, roster) -> list[str]:
    """Every broken hard rule, as short strings (empty when the roster is valid)."""
    shifts = {s.id: s for s in problem.shifts}
    bad = []
    if set(roster) != {p.id for p in problem.staff}:
        return ["roster does not list exactly the staff"]
    for p in problem.staff:
        row = roster[p.id]
        if len(row) != problem.days or any(s and s not in shifts for s in row):
            bad.append(f"{p.id}: malformed row")
            continue
        worked = [bool(s) for s in row]
        for d in p.days_off:
            if row[d]:
                bad.append(f"{p.id}: works on day off {d}")
        for sid, limit in p.max_shifts.items():
            if row.count(sid) > limit:
                bad.append(f"{p.id}: {row.count(sid)} x {sid} > {limit}")
        minutes = sum(shifts[s].minutes for s in row if s)
        if minutes < p.min_minutes or (p.max_minutes is not None and minutes > p.max_minutes):
            bad.append(f"{p.id}: {minutes} minutes")
        for first, length, on in runs(worked):
            inner = first > 0 and first + length < problem.days
            if on and p.max_consecutive is not None and length > p.max_consecutive:
                bad.append(f"{p.id}: {length} days in a row from {first}")
            if on and inner and length < p.min_consecutive:
                bad.append(f"{p.id}: only {length} days in a row from {first}")
            if not on and inner and length < p.min_days_off:
                bad.append(f"{p.id}: only {length} days off from {first}")
        if p.max_weekends is not None:
            weeks = {(weekday(problem, 0) + d) // 7 for d in range(problem.days)
                     if row[d] and weekday(problem, d) >= 5}
            if len(weeks) > p.max_weekends:
                bad.append(f"{p.id}: {len(weeks)} weekends")
        for d in range(problem.days - 1):
            a, b = row[d], row[d + 1]
            if a and b:
                if b in shifts[a].not_follow:
                    bad.append(f"{p.id}: {b} after {a} on day {d + 1}")
                sa, sb = shifts[a], shifts[b]
                if problem.min_rest_hours and sa.start is not None and sb.start is not None:
                    if 1440 + sb.start - sa.start - sa.minutes < problem.min_rest_hours * 60:
                        bad.append(f"{p.id}: too little rest before day {d + 1}")
    for pin in problem.pins:
        if roster[pin.staff][pin.day] != pin.shift:
            bad.append(f"pin {pin} broken")
    for c in problem.covers:
        if c.hard_min is not None and _count(problem, roster, c) < c.hard_min:
            bad.append(f"cover day {c.day} {c.shift} below hard minimum")
    return bad


def _count(problem, roster, cover) -> int:
    """Qualified people on the cover's day and shift."""
    return sum(1 for p in problem.staff if roster[p.id][cover.day] == cover.shift
               and (cover.area is None or cover.area in p.areas)
               and (cover.language is None or cover.language in p.languages)
               and (getattr(cover, "city", None) is None or cover.city == getattr(p, "city", None)))


def objective(problem, roster) -> int:
    """Total penalty of a roster, recomputed from the rules."""
    total = 0
    for r in problem.on_requests:
        total += r.weight * (roster[r.staff][r.day] != r.shift)
    for r in problem.off_requests:
        total += r.weight * (roster[r.staff][r.day] == r.shift)
    for c in problem.covers:
        n = _count(problem, roster, c)
        total += c.under_weight * max(c.requirement - n, 0) + c.over_weight * max(n - c.requirement, 0)
    groups = {}
    for p in problem.staff:
        groups.setdefault(p.group, []).append(p.id)
    shifts = {s.id: s for s in problem.shifts}
    for members in groups.values():
        if len(members) < 2:
            continue
        duties = [sum(1 for s in roster[m] if s) for m in members]
        hard = [sum(1 for d, s in enumerate(roster[m]) if s and (shifts[s].unpopular or weekday(problem, d) >= 5
                                                                  or d in problem.holidays)) for m in members]
        total += problem.fairness.duties * (max(duties) - min(duties))
        total += problem.fairness.unpopular * (max(hard) - min(hard))
    if problem.published is not None:
        for p in problem.staff:
            before = problem.published.get(p.id, [""] * problem.days)
            total += problem.change_weight * sum(1 for a, b in zip(before, roster[p.id]) if a != b)
    return total


def brute_force(problem, limit: int = 20_000):
    """(best objective, a best roster) over every roster of a tiny problem, or (None, None) when none is valid."""
    choices = [""] + [s.id for s in problem.shifts]
    cells = len(problem.staff) * problem.days
    assert len(choices) ** cells <= limit, "instance too big for brute force"
    best, best_roster = None, None
    for combo in itertools.product(choices, repeat=cells):
        roster = {p.id: list(combo[i * problem.days:(i + 1) * problem.days]) for i, p in enumerate(problem.staff)}
        if violations(problem, roster):
            continue
        value = objective(problem, roster)
        if best is None or value < best:
            best, best_roster = value, roster
    return best, best_roster
