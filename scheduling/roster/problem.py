"""The duty-roster problem as plain dataclasses: days, shift types, staff, seats to cover, requests, fairness.

Days are numbered 0..days-1 from ``start`` (a Monday when no date is given, as in the Curtois benchmark).
A roster is ``{staff id: [shift id or "" for each day]}``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Roster = dict[str, list[str]]


@dataclass(frozen=True)
class ShiftType:
    """A kind of duty: its length, start time, the types that may not follow it and whether it is unpopular."""

    id: str
    minutes: int
    start: int | None = None  # minutes after midnight; needed only for the minimum-rest rule
    not_follow: tuple[str, ...] = ()
    name: str = ""
    unpopular: bool = False  # e.g. nights: counted by the fairness rule

    @property
    def label(self) -> str:
        """The word a coordinator uses for this shift."""
        return self.name or self.id


@dataclass(frozen=True)
class Staff:
    """One lawyer (or nurse) with personal limits; None means no limit."""

    id: str
    name: str = ""
    areas: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    max_shifts: dict[str, int] = field(default_factory=dict)  # per shift type; missing means unlimited
    min_minutes: int = 0
    max_minutes: int | None = None
    min_consecutive: int = 1  # shortest run of working days (runs touching the period's ends are exempt)
    max_consecutive: int | None = None  # longest run of working days
    min_days_off: int = 1  # shortest run of days off (runs touching the period's ends are exempt)
    max_weekends: int | None = None
    days_off: frozenset[int] = frozenset()
    group: str = ""  # comparable lawyers share a group; fairness compares within a group
    city: str | None = None  # where the lawyer sits, for seats kept for one city

    @property
    def label(self) -> str:
        """The name a coordinator reads."""
        return self.name or self.id


@dataclass(frozen=True)
class Request:
    """A wish to work (on) or not to work (off) a shift on a day, with the penalty weight if it is not met."""

    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    """Seats to fill on a day and shift, optionally only by staff with a legal area and/or a language."""

    day: int
    shift: str
    requirement: int
    under_weight: int = 0
    over_weight: int = 0
    area: str | None = None
    language: str | None = None
    hard_min: int | None = None  # at least this many, whatever the cost
    city: str | None = None  # only staff of this city may fill these seats

    def cost(self, filled: int) -> int:
        """What these seats cost with this many qualified people on them (empty seats or people over)."""
        return self.under_weight * max(self.requirement - filled, 0) + self.over_weight * max(filled - self.requirement, 0)

    def qualifies(self, person: Staff) -> bool:
        """True when this person may fill one of these seats."""
        return (
            (self.area is None or self.area in person.areas)
            and (self.language is None or self.language in person.languages)
            and (self.city is None or self.city == person.city)
        )


@dataclass(frozen=True)
class Pin:
    """A duty fixed by the coordinator; shift "" pins a day off."""

    staff: str
    day: int
    shift: str


@dataclass(frozen=True)
class Fairness:
    """Weights on the spread (max - min) of duties between comparable staff, per group."""

    duties: int = 0
    unpopular: int = 0  # unpopular shifts, weekend duties and holiday duties


@dataclass
class Problem:
    """A duty period to roster."""

    days: int
    shifts: list[ShiftType]
    staff: list[Staff]
    covers: list[Cover] = field(default_factory=list)
    on_requests: list[Request] = field(default_factory=list)
    off_requests: list[Request] = field(default_factory=list)
    start: dt.date | None = None
    holidays: frozenset[int] = frozenset()
    pins: list[Pin] = field(default_factory=list)
    min_rest_hours: float = 0.0
    fairness: Fairness = Fairness()
    name: str = ""
    published: Roster | None = None  # when re-planning: the roster people already know
    change_weight: int = 0  # cost of each duty that differs from the published roster

    def shift(self, shift_id: str) -> ShiftType:
        """The shift type with this id."""
        return self.shift_index[shift_id]

    @cached_property
    def shift_index(self) -> dict[str, ShiftType]:
        """Shift types by id."""
        return {s.id: s for s in self.shifts}

    @cached_property
    def staff_index(self) -> dict[str, Staff]:
        """Staff by id."""
        return {p.id: p for p in self.staff}

    def weekday(self, day: int) -> int:
        """0 for Monday ... 6 for Sunday."""
        first = self.start.weekday() if self.start else 0
        return (first + day) % 7

    def weekends(self) -> list[list[int]]:
        """The Saturday/Sunday days of each weekend that falls (at least partly) in the period."""
        found: dict[int, list[int]] = {}
        first = self.start.weekday() if self.start else 0
        for day in range(self.days):
            if self.weekday(day) >= 5:
                found.setdefault((first + day) // 7, []).append(day)
        return list(found.values())

    def day_label(self, day: int) -> str:
        """'Tuesday 12th' when the period has a start date, else 'Tuesday, day 8'."""
        name = WEEKDAYS[self.weekday(day)]
        if self.start is None:
            return f"{name}, day {day}"
        date = self.start + dt.timedelta(days=day)
        suffix = "th" if 11 <= date.day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(date.day % 10, "th")
        return f"{name} {date.day}{suffix}"

    def forbidden_successions(self) -> set[tuple[str, str]]:
        """(today, tomorrow) shift pairs not allowed: listed ones plus those leaving less than the minimum rest."""
        pairs = {(s.id, nxt) for s in self.shifts for nxt in s.not_follow}
        if self.min_rest_hours > 0:
            for a in self.shifts:
                for b in self.shifts:
                    if a.start is not None and b.start is not None:
                        rest = 1440 + b.start - (a.start + a.minutes)
                        if rest < self.min_rest_hours * 60:
                            pairs.add((a.id, b.id))
        return pairs

    def qualified(self, cover: Cover) -> list[str]:
        """Ids of the staff who may fill the cover's seats (cached per area and language)."""
        key = (cover.area, cover.language, cover.city)
        if key not in self._qualified_cache:
            self._qualified_cache[key] = [p.id for p in self.staff if cover.qualifies(p)]
        return self._qualified_cache[key]

    def filled(self, cover: Cover, roster: Roster) -> int:
        """How many qualified people work the cover's shift on its day in a roster."""
        return sum(1 for s in self.qualified(cover) if roster[s][cover.day] == cover.shift)

    @cached_property
    def groups(self) -> dict[str, list[str]]:
        """Staff ids by fairness group, in staff order (the fairness rule compares within each)."""
        found: dict[str, list[str]] = {}
        for person in self.staff:
            found.setdefault(person.group, []).append(person.id)
        return found

    @cached_property
    def fixed(self) -> dict[tuple[str, int], str]:
        """Cells every roster holds: "" on a person's days off, the pinned shift on a pin (pins win)."""
        cells = {(person.id, day): "" for person in self.staff for day in person.days_off}
        cells.update({(pin.staff, pin.day): pin.shift for pin in self.pins})
        return cells

    def unmeetable(self, request: Request, on: bool = True) -> bool:
        """True when no roster meets the shift-on (`on`) or shift-off request: its cell is fixed (a day off or a pin)
        to another shift (to that shift), or the person may work none of the shift asked for. The province's
        requests on a day off are 118 of its 184 cost: searches aimed at them only lose time."""
        held = self.fixed.get((request.staff, request.day))
        if not on:
            return held == request.shift
        return (held is not None and held != request.shift) or \
            self.staff_index[request.staff].max_shifts.get(request.shift) == 0

    def unmet_requests(self, roster: Roster) -> list[Request]:
        """The weighed shift-on requests a roster leaves unmet that some roster could meet (what a search can aim at)."""
        return [r for r in self.on_requests if r.weight and roster[r.staff][r.day] != r.shift and not self.unmeetable(r)]

    @cached_property
    def _qualified_cache(self) -> dict:
        """Cache for qualified()."""
        return {}

    def is_unpopular(self, day: int, shift_id: str) -> bool:
        """Unpopular duties for fairness: unpopular shift types, weekends and public holidays."""
        return self.shift(shift_id).unpopular or self.weekday(day) >= 5 or day in self.holidays

    def duty_count(self, row: list[str], unpopular: bool) -> int:
        """A person's duties in a roster row (only the unpopular ones when asked): what the fairness rule compares."""
        return sum(1 for d, s in enumerate(row) if s and (not unpopular or self.is_unpopular(d, s)))

    def duty_counts(self, roster: Roster, unpopular: bool) -> dict[str, int]:
        """Every person's duty count in a roster (only the unpopular duties when asked), by staff id."""
        return {s.id: self.duty_count(roster[s.id], unpopular) for s in self.staff}

    def empty_roster(self) -> Roster:
        """A roster with everyone off every day."""
        return {p.id: [""] * self.days for p in self.staff}
