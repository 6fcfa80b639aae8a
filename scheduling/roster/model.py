"""Build the CP-SAT model of a roster problem: one function per rule, hard rules first, then soft penalties.

The variables and the helpers that read cells are in ``variables.py``. Sequence rules are posted as clauses
that forbid the bad patterns over sliding windows (stronger and smaller than counters). In explain mode every
hard rule is guarded by an enforcement literal carrying the coordinator's words, so an infeasible core can be
read back.

A sub-model for large-neighbourhood search passes ``fixed`` (an incumbent roster) and ``free`` (the days each
person may change): fixed cells become constants, so the model only holds what may move, and its objective
still counts every penalty of the whole roster.
"""
from __future__ import annotations

from ortools.sat.python import cp_model

from scheduling.common import Words
from scheduling.roster.problem import Cover, Problem, Roster, Staff
from scheduling.roster.variables import RosterModel, Term, add_variables, index_fixed_cells, neg


def build_model(problem: Problem, explain: bool = False, fixed: Roster | None = None,
                free: dict[str, list[int]] | None = None, relaxed: bool = False) -> RosterModel:
    """The model: decision variables, hard rules, then the soft rules summed into the objective."""
    rm = RosterModel(problem, cp_model.CpModel(), explain=explain, fixed=fixed,
                     free=None if free is None else {s: sorted(days) for s, days in free.items() if days},
                     relaxed=relaxed)
    add_variables(rm)
    if rm.free is not None:
        index_fixed_cells(rm)
    for rule in HARD_RULES:
        rule(rm)
    for rule in SOFT_RULES:
        rule(rm)
    rm.objective = sum(t.weight * t.expr for t in rm.terms if t.weight)
    rm.model.minimize(rm.objective)
    return rm


def days_off(rm: RosterModel) -> None:
    # Nobody works on one of their fixed days off.
    p = rm.problem
    for person in rm.people():
        for day in sorted(person.days_off):
            if (person.id, day) in rm.work:
                rm.linear(rm.work[person.id, day] == 0, Words(f"{person.label} is off on {p.day_label(day)}", "day_off",
                                                             staff=person.id, day=day))


def pinned_duties(rm: RosterModel) -> None:
    # A duty (or day off) the coordinator pinned stays as pinned.
    p = rm.problem
    for pin in p.pins:
        if (pin.staff, pin.day) not in rm.work:
            continue
        label = p.staff_index[pin.staff].label
        if pin.shift:
            words = Words(f"{label} is pinned to {p.shift(pin.shift).label} on {p.day_label(pin.day)}", "pinned",
                          staff=pin.staff, day=pin.day, shift=pin.shift)
            rm.linear(rm.x[pin.staff, pin.day, pin.shift] == 1, words)
        else:
            rm.linear(rm.work[pin.staff, pin.day] == 0, Words(f"{label} is pinned off on {p.day_label(pin.day)}",
                                                               "pinned_off", staff=pin.staff, day=pin.day))


def max_shifts_per_type(rm: RosterModel) -> None:
    # Nobody works more shifts of a type than their contract allows (0: never that type).
    p = rm.problem
    for person in rm.people():
        for shift_id, limit in person.max_shifts.items():
            if limit < p.days:
                total = rm.total(person.id, lambda d, s, shift_id=shift_id: int(s == shift_id))
                rm.linear(total <= limit, Words(f"{person.label} works at most {limit} {p.shift(shift_id).label} shifts",
                                                "max_shifts", staff=person.id, count=limit, shift=shift_id))


def total_minutes(rm: RosterModel) -> None:
    # Everybody's total working time stays within their minimum and maximum minutes.
    p = rm.problem
    for person in rm.people():
        total = rm.total(person.id, lambda d, s: p.shift(s).minutes)
        if person.min_minutes > 0:
            rm.linear(total >= person.min_minutes, Words(f"{person.label} works at least {person.min_minutes} minutes",
                                                         "min_minutes", staff=person.id, minutes=person.min_minutes))
        if person.max_minutes is not None:
            rm.linear(total <= person.max_minutes, Words(f"{person.label} works at most {person.max_minutes} minutes",
                                                         "max_minutes", staff=person.id, minutes=person.max_minutes))


def max_consecutive_days(rm: RosterModel) -> None:
    # No run of working days is longer than the person's maximum (days outside the period count as off).
    p = rm.problem
    for person in rm.people():
        limit = person.max_consecutive
        if limit is None or limit >= p.days:
            continue
        words = Words(f"{person.label} works at most {limit} days in a row", "max_consecutive", staff=person.id,
                      count=limit)
        for first in rm.span(person.id, limit):
            if first + limit < p.days:
                rm.clause([neg(rm.worked(person.id, d)) for d in range(first, first + limit + 1)], words)


def min_consecutive_days(rm: RosterModel) -> None:
    # A run of working days inside the period (touching neither end) is at least the person's minimum long.
    for person in rm.people():
        words = Words(f"{person.label} works at least {person.min_consecutive} days in a row", "min_consecutive",
                      staff=person.id, count=person.min_consecutive)
        _forbid_short_runs(rm, person, person.min_consecutive, True, words)


def min_days_off(rm: RosterModel) -> None:
    # A run of days off inside the period (touching neither end) is at least the person's minimum long.
    for person in rm.people():
        words = Words(f"{person.label} takes at least {person.min_days_off} days off in a row", "min_days_off",
                      staff=person.id, count=person.min_days_off)
        _forbid_short_runs(rm, person, person.min_days_off, False, words)


def _forbid_short_runs(rm: RosterModel, person: Staff, minimum: int, working: bool, words: str) -> None:
    """Clauses forbidding 'other, k same, other' for every k < minimum strictly inside the period."""
    days = rm.problem.days
    for length in range(1, minimum):
        for first in rm.span(person.id, length + 1):
            if first < 1 or first + length >= days:
                continue
            run = [rm.worked(person.id, d) for d in range(first, first + length)]
            before, after = rm.worked(person.id, first - 1), rm.worked(person.id, first + length)
            if working:
                rm.clause([before, after] + [neg(v) for v in run], words)
            else:
                rm.clause([neg(before), neg(after)] + run, words)


def max_weekends(rm: RosterModel) -> None:
    # Nobody works on more weekends (any duty on Saturday or Sunday) than their maximum.
    p, model = rm.problem, rm.model
    weekends = p.weekends()
    for person in rm.people():
        if person.max_weekends is None or person.max_weekends >= len(weekends):
            continue
        flags = []
        for index, days in enumerate(weekends):
            worked = [rm.worked(person.id, d) for d in days]
            if any(isinstance(w, int) and w for w in worked):
                flags.append(1)
                continue
            worked = [w for w in worked if not isinstance(w, int)]
            if not worked:
                continue
            flag = rm.derive(model.new_bool_var(f"{person.id} works weekend {index}"),
                             lambda r, s=person.id, days=days: int(any(r[s][d] for d in days)))
            for w in worked:
                model.add_implication(w, flag)
            model.add_bool_or(worked + [flag.Not()])
            flags.append(flag)
        rm.linear(sum(flags) <= person.max_weekends, Words(f"{person.label} works at most {person.max_weekends} weekends",
                                                           "max_weekends", staff=person.id, count=person.max_weekends))


def shift_successions(rm: RosterModel) -> None:
    # Some shifts may not follow others on the next day (listed pairs and the minimum rest between shifts).
    p = rm.problem
    banned: dict[str, list[str]] = {}
    for before, after in sorted(p.forbidden_successions()):
        banned.setdefault(before, []).append(after)
    # In a sub-model, shifts with the same banned followers share one constraint a day (at most one shift a day,
    # so the sum of them is the same rule, fewer and stronger): Curtois 13's 17 such shifts make 7 groups, and
    # these constraints were half of a sub-model's build. Full models keep one per shift (explain mode names one
    # shift; the full solve of 1-12 was not measured better with groups).
    groups: dict[tuple[str, ...], list[str]] = {}
    for before, afters in banned.items():
        groups.setdefault(tuple(afters), []).append(before)
    rules = ([([before], afters) for before, afters in banned.items()] if rm.explain or rm.free is None else
             [(befores, list(afters)) for afters, befores in groups.items()])
    for befores, afters in rules:
        words = Words(f"no {', '.join(p.shift(a).label for a in afters)} shift the day after a "
                      f"{' or '.join(p.shift(b).label for b in befores)} shift", "no_succession",
                      before=befores[0] if len(befores) == 1 else list(befores), after=list(afters))
        for person in rm.people():
            for day in rm.span(person.id, 1):
                # two fixed days are the incumbent's, which meets the rule
                if day + 1 < p.days and (rm.is_free(person.id, day) or rm.is_free(person.id, day + 1)):
                    today = sum(rm.cell(person.id, day, b) for b in befores)
                    if isinstance(today, int) and not today:
                        continue  # none of them worked today (a fixed cell or a type the person may not work)
                    nxt = sum(rm.cell(person.id, day + 1, a) for a in afters)
                    rm.linear(today + nxt <= 1, words)


def relaxed_minimum_weight(cover: Cover) -> int:
    """What one person short of a hard minimum costs in the relaxed model of the constructive start."""
    return 10 * max(cover.under_weight, 1000)


def hard_cover_minimum(rm: RosterModel) -> None:
    # Seats with a hard minimum get at least that many qualified people.
    p = rm.problem
    for cover in p.covers:
        if cover.hard_min:
            assigned = _assigned(rm, cover)
            if rm.relaxed:
                missing = rm.derive(rm.model.new_int_var(0, cover.hard_min, "below hard minimum"),
                                    lambda r, c=cover: max(c.hard_min - rm.problem.filled(c, r), 0))
                rm.model.add(missing >= cover.hard_min - assigned)
                rm.terms.append(Term("below hard minimum", relaxed_minimum_weight(cover), missing))
                continue
            words = Words(f"{p.day_label(cover.day)} {cover_label(p, cover)} needs at least {cover.hard_min}",
                          "hard_minimum", day=cover.day, **seat_params(cover), count=cover.hard_min)
            rm.linear(assigned >= cover.hard_min, words)


def shift_on_requests(rm: RosterModel) -> None:
    # A person who asked to work a shift costs the request's weight when they do not get it.
    for r in rm.problem.on_requests:
        rm.terms.append(Term("shift-on request", r.weight, 1 - rm.cell(r.staff, r.day, r.shift)))


def shift_off_requests(rm: RosterModel) -> None:
    # A person who asked not to work a shift costs the request's weight when they get it anyway.
    for r in rm.problem.off_requests:
        rm.terms.append(Term("shift-off request", r.weight, rm.cell(r.staff, r.day, r.shift)))


def cover_seats(rm: RosterModel) -> None:
    # Each empty seat costs the under-cover weight and each extra person the over-cover weight.
    p, model = rm.problem, rm.model
    for index, cover in enumerate(p.covers):
        fixed, free = _assigned_parts(rm, cover)
        assigned = fixed + cp_model.LinearExpr.sum(free) if free else fixed
        if not free:
            rm.terms.append(Term("seat short", cover.under_weight, max(cover.requirement - fixed, 0)))
            rm.terms.append(Term("seat over", cover.over_weight, max(fixed - cover.requirement, 0)))
            continue
        # when the fixed people already fill the seats (or all the free ones together cannot), one side is zero
        # whatever they do and the other is linear in them, so no short/over variables are needed
        if fixed >= cover.requirement:
            rm.terms.append(Term("seat over", cover.over_weight, assigned - cover.requirement))
            continue
        if fixed + len(free) <= cover.requirement:
            rm.terms.append(Term("seat short", cover.under_weight, cover.requirement - assigned))
            continue
        able = len(p.qualified(cover))
        short = rm.derive(model.new_int_var(0, cover.requirement, f"cover {index} short"),
                          lambda r, c=cover: max(c.requirement - rm.problem.filled(c, r), 0))
        over = rm.derive(model.new_int_var(0, max(able - cover.requirement, 0), f"cover {index} over"),
                         lambda r, c=cover: max(rm.problem.filled(c, r) - c.requirement, 0))
        model.add(assigned - cover.requirement == over - short)
        if cover.requirement > 0 and able > cover.requirement:
            # never short and over at once, so every roster's objective is its true cost
            shortfall = rm.derive(model.new_bool_var(f"cover {index} is short"),
                                  lambda r, c=cover: int(rm.problem.filled(c, r) < c.requirement))
            model.add(over == 0).only_enforce_if(shortfall)
            model.add(short == 0).only_enforce_if(shortfall.Not())
        rm.terms.append(Term("seat short", cover.under_weight, short))
        rm.terms.append(Term("seat over", cover.over_weight, over))


def fair_spread(rm: RosterModel) -> None:
    # Comparable lawyers (same group) get similar numbers of duties and of unpopular duties.
    p, model = rm.problem, rm.model
    for name, members in p.groups.items():
        if len(members) < 2:
            continue
        for rule, weight, unpopular_only in (("duty spread", p.fairness.duties, False),
                                             ("unpopular duty spread", p.fairness.unpopular, True)):
            if not weight:
                continue
            # each person's duties (or unpopular duties): an int when all their days are fixed
            counts = [rm.total(person, lambda d, s: int(not unpopular_only or p.is_unpopular(d, s)))
                      for person in members]
            if all(isinstance(c, int) for c in counts):
                rm.terms.append(Term(rule, weight, max(counts) - min(counts)))
                continue
            high = rm.derive(model.new_int_var(0, p.days, f"{rule} high {name}"),
                             lambda r, ids=members, u=unpopular_only: max(p.duty_count(r[i], u) for i in ids))
            low = rm.derive(model.new_int_var(0, p.days, f"{rule} low {name}"),
                            lambda r, ids=members, u=unpopular_only: min(p.duty_count(r[i], u) for i in ids))
            for count in counts:
                model.add(high >= count)
                model.add(low <= count)
            rm.terms.append(Term(rule, weight, high - low))


def keep_published_duties(rm: RosterModel) -> None:
    # When re-planning, every duty added, removed or moved compared with the published roster costs the change weight.
    p = rm.problem
    if p.published is None or not p.change_weight:
        return
    for person in p.staff:
        row = p.published.get(person.id, [""] * p.days)
        for day in range(p.days):
            if row[day]:
                rm.terms.append(Term("changed duty", p.change_weight, 1 - rm.cell(person.id, day, row[day])))
            else:
                rm.terms.append(Term("changed duty", p.change_weight, rm.worked(person.id, day)))


def _assigned(rm: RosterModel, cover: Cover):
    """Number of qualified people working the cover's shift on its day (an int when all are fixed)."""
    fixed, free = _assigned_parts(rm, cover)
    return fixed + cp_model.LinearExpr.sum(free) if free else fixed


def _assigned_parts(rm: RosterModel, cover: Cover) -> tuple[int, list]:
    """The number of fixed qualified people on the cover's shift (0 in a full model) and the free ones' literals."""
    staff = rm.problem.staff_index
    if rm.free is None:
        fixed, candidates = 0, rm.problem.qualified(cover)
    else:
        fixed = sum(1 for person in rm.on_shift.get((cover.day, cover.shift), ()) if cover.qualifies(staff[person]))
        candidates = [person for person in rm.free_on_day.get(cover.day, ()) if cover.qualifies(staff[person])]
    free = [var for person in candidates if (var := rm.x.get((person, cover.day, cover.shift))) is not None]
    return fixed, free


def seat_params(cover: Cover) -> dict:
    """What tells a group of seats apart, as ids: the shift, and the city, language and area it is kept for."""
    return {"shift": cover.shift, "city": cover.city, "language": cover.language, "area": cover.area}


def cover_label(problem: Problem, cover: Cover) -> str:
    """'Dalian night Korean-speaking labour' style words for a group of seats."""
    words = [problem.shift(cover.shift).label]
    if cover.city:
        words.insert(0, cover.city)
    if cover.language:
        words.append(f"{cover.language}-speaking")
    if cover.area:
        words.append(cover.area)
    return " ".join(words)


HARD_RULES = [days_off, pinned_duties, max_shifts_per_type, total_minutes, max_consecutive_days,
              min_consecutive_days, min_days_off, max_weekends, shift_successions, hard_cover_minimum]
SOFT_RULES = [shift_on_requests, shift_off_requests, cover_seats, fair_spread, keep_published_duties]
