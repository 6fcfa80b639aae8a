"""Read and write roster problems as JSON. Errors name the file and the line of the offending object.

Format (one object; only ``days``, ``shifts`` and ``staff`` are required, everything else has a default)::

    {
      "name": "Shenyang December", "start": "2026-12-01", "days": 31,
      "holidays": [0], "min_rest_hours": 11, "fairness": {"duties": 1, "unpopular": 2},
      "shifts": [{"id": "N", "minutes": 480, "start": "22:00", "not_follow": ["E"], "name": "night",
                  "unpopular": true}],
      "staff": [{"id": "L001", "name": "Li Wei", "areas": ["labour"], "languages": ["Mandarin", "Korean"],
                 "max_shifts": {"N": 4}, "min_minutes": 0, "max_minutes": 9600, "min_consecutive": 1,
                 "max_consecutive": 5, "min_days_off": 1, "max_weekends": 2, "days_off": [3, 4],
                 "group": "Shenyang", "city": "Shenyang"}],
      "covers": [{"day": 0, "shift": "N", "requirement": 2, "under_weight": 100, "over_weight": 1,
                  "area": null, "language": "Korean", "hard_min": null, "city": null}],
      "on_requests": [{"staff": "L001", "day": 2, "shift": "N", "weight": 3}],
      "off_requests": [{"staff": "L001", "day": 5, "shift": "N", "weight": 3}],
      "pins": [{"staff": "L001", "day": 7, "shift": ""}],
      "published": {"L001": ["N", "", ...]}, "change_weight": 50
    }

Days are 0-based from ``start`` (a Monday when absent); ``null`` or a missing limit means no limit.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from scheduling.cli import InputError, Located, load_located_json
from scheduling.roster.problem import Cover, Fairness, Pin, Problem, Request, Roster, ShiftType, Staff




def read_json(path: str) -> Problem:
    """Read a JSON roster problem file."""
    with open(path, encoding="utf-8") as handle:
        return parse_json(handle.read(), path)


def parse_json(text: str, path: str = "<json>") -> Problem:
    """Parse JSON text into a Problem; raises InputError naming the line of a bad object."""
    data = load_located_json(text, path)
    if not isinstance(data, Located):
        raise InputError(path, 1, "the file must hold one JSON object")
    r = _Reader(path)
    days = r.integer(data, "days", low=1)
    start = r.date(data, "start")
    shifts = [r.shift(item) for item in r.objects(data, "shifts", required=True)]
    ids = {s.id for s in shifts}
    for item, shift in zip(data["shifts"], shifts):
        for other in shift.not_follow:
            r.check(other in ids, item, f"unknown shift {other!r} in not_follow")
    staff = [r.staff(item, ids, days) for item in r.objects(data, "staff", required=True)]
    people = {p.id for p in staff}
    r.check(len(people) == len(staff), data, "staff ids must be unique")
    r.check(len(ids) == len(shifts), data, "shift ids must be unique")
    covers = [r.cover(item, ids, days) for item in r.objects(data, "covers")]
    on = [r.request(item, people, ids, days) for item in r.objects(data, "on_requests")]
    off = [r.request(item, people, ids, days) for item in r.objects(data, "off_requests")]
    pins = []
    for item in r.objects(data, "pins"):
        r.check(item.get("staff") in people, item, f"unknown staff {item.get('staff')!r}")
        shift = item.get("shift") or ""
        r.check(shift == "" or shift in ids, item, f"unknown shift {shift!r}")
        pins.append(Pin(item["staff"], r.integer(item, "day", 0, days - 1), shift))
    fairness = data.get("fairness") or Located()
    published = data.get("published")
    if published is not None:
        r.check(isinstance(published, dict), data, "published must map staff ids to lists of shift ids")
        for sid, row in published.items():
            r.check(sid in people and isinstance(row, list) and len(row) == days
                    and all(s == "" or s in ids for s in row), data, f"published roster row {sid!r} is not valid")
    return Problem(
        days=days, shifts=shifts, staff=staff, covers=covers, on_requests=on, off_requests=off, start=start,
        holidays=frozenset(r.integer_list(data, "holidays", days)), pins=pins,
        min_rest_hours=r.number(data, "min_rest_hours", 0.0),
        fairness=Fairness(r.integer(fairness, "duties", 0, default=0), r.integer(fairness, "unpopular", 0, default=0)),
        name=str(data.get("name", "")), published=published, change_weight=r.integer(data, "change_weight", 0, default=0),
    )


class _Reader:
    """Field readers that raise InputError with the object's line."""

    def __init__(self, path: str):
        self.path = path

    def check(self, ok: bool, obj: Any, problem: str) -> None:
        """Raise InputError at the object's line unless ok."""
        if not ok:
            raise InputError(self.path, getattr(obj, "line", None), problem)

    def objects(self, obj: dict, key: str, required: bool = False) -> list:
        """A list of JSON objects."""
        self.check(key in obj or not required, obj, f"missing {key!r}")
        items = obj.get(key) or []
        self.check(isinstance(items, list), obj, f"{key!r} must be a list")
        for item in items:
            self.check(isinstance(item, dict), obj, f"every entry of {key!r} must be an object")
        return items

    def integer(self, obj: dict, key: str, low: int | None = None, high: int | None = None, default: Any = ...):
        """A whole number in [low, high]; `default` when absent or null (required when no default)."""
        value = obj.get(key)
        if value is None:
            self.check(default is not ..., obj, f"missing {key!r}")
            return default
        self.check(isinstance(value, int) and not isinstance(value, bool), obj, f"{key!r} must be a whole number")
        self.check(low is None or value >= low, obj, f"{key!r} must be at least {low}")
        self.check(high is None or value <= high, obj, f"{key!r} must be at most {high}")
        return value

    def number(self, obj: dict, key: str, default: float) -> float:
        """A non-negative number."""
        value = obj.get(key, default)
        self.check(isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0, obj,
                   f"{key!r} must be a non-negative number")
        return float(value)

    def integer_list(self, obj: dict, key: str, days: int) -> list[int]:
        """A list of day numbers."""
        values = obj.get(key) or []
        self.check(isinstance(values, list) and all(isinstance(v, int) and 0 <= v < days for v in values), obj,
                   f"{key!r} must list day numbers 0..{days - 1}")
        return values

    def strings(self, obj: dict, key: str) -> frozenset[str]:
        """A set of words."""
        values = obj.get(key) or []
        self.check(isinstance(values, list) and all(isinstance(v, str) for v in values), obj,
                   f"{key!r} must be a list of strings")
        return frozenset(values)

    def text(self, obj: dict, key: str, required: bool = False) -> str:
        """A string."""
        value = obj.get(key, "")
        self.check(isinstance(value, str) and (value or not required), obj, f"{key!r} must be a non-empty string")
        return value

    def optional_text(self, obj: dict, key: str) -> str | None:
        """A string or None."""
        value = obj.get(key)
        self.check(value is None or isinstance(value, str), obj, f"{key!r} must be a string or null")
        return value or None

    def date(self, obj: dict, key: str) -> dt.date | None:
        """An ISO date or None."""
        value = obj.get(key)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise InputError(self.path, getattr(obj, "line", None), f"{key!r} must be a date like 2026-12-01") from None

    def shift(self, obj: dict) -> ShiftType:
        """One shift type."""
        start = obj.get("start")
        minutes_after_midnight = None
        if start is not None:
            try:
                hours, minutes = (int(part) for part in str(start).split(":"))
                minutes_after_midnight = hours * 60 + minutes
            except ValueError:
                raise InputError(self.path, obj.line, f"start must look like 22:00, not {start!r}") from None
        not_follow = obj.get("not_follow") or []
        self.check(isinstance(not_follow, list), obj, "'not_follow' must be a list of shift ids")
        return ShiftType(self.text(obj, "id", True), self.integer(obj, "minutes", 0), minutes_after_midnight,
                         tuple(not_follow), self.text(obj, "name"), bool(obj.get("unpopular", False)))

    def staff(self, obj: dict, shift_ids: set[str], days: int) -> Staff:
        """One person."""
        max_shifts = obj.get("max_shifts") or {}
        self.check(isinstance(max_shifts, dict) and all(k in shift_ids and isinstance(v, int) and v >= 0
                                                        for k, v in max_shifts.items()), obj,
                   "'max_shifts' must map known shift ids to whole numbers")
        return Staff(
            self.text(obj, "id", True), self.text(obj, "name"), self.strings(obj, "areas"),
            self.strings(obj, "languages"), dict(max_shifts), self.integer(obj, "min_minutes", 0, default=0),
            self.integer(obj, "max_minutes", 0, default=None), self.integer(obj, "min_consecutive", 1, default=1),
            self.integer(obj, "max_consecutive", 0, default=None), self.integer(obj, "min_days_off", 1, default=1),
            self.integer(obj, "max_weekends", 0, default=None), frozenset(self.integer_list(obj, "days_off", days)),
            self.text(obj, "group"), self.optional_text(obj, "city"),
        )

    def cover(self, obj: dict, shift_ids: set[str], days: int) -> Cover:
        """Seats on one day and shift."""
        self.check(obj.get("shift") in shift_ids, obj, f"unknown shift {obj.get('shift')!r}")
        return Cover(self.integer(obj, "day", 0, days - 1), obj["shift"], self.integer(obj, "requirement", 0),
                     self.integer(obj, "under_weight", 0, default=0), self.integer(obj, "over_weight", 0, default=0),
                     self.optional_text(obj, "area"), self.optional_text(obj, "language"),
                     self.integer(obj, "hard_min", 0, default=None), self.optional_text(obj, "city"))

    def request(self, obj: dict, people: set[str], shift_ids: set[str], days: int) -> Request:
        """A shift-on or shift-off request."""
        self.check(obj.get("staff") in people, obj, f"unknown staff {obj.get('staff')!r}")
        self.check(obj.get("shift") in shift_ids, obj, f"unknown shift {obj.get('shift')!r}")
        return Request(obj["staff"], self.integer(obj, "day", 0, days - 1), obj["shift"],
                       self.integer(obj, "weight", 0))


def problem_to_json(problem: Problem) -> dict:
    """The JSON object for a problem (inverse of parse_json)."""
    def start(shift: ShiftType):
        return None if shift.start is None else f"{shift.start // 60:02d}:{shift.start % 60:02d}"

    return {
        "name": problem.name, "start": problem.start.isoformat() if problem.start else None, "days": problem.days,
        "holidays": sorted(problem.holidays), "min_rest_hours": problem.min_rest_hours,
        "fairness": {"duties": problem.fairness.duties, "unpopular": problem.fairness.unpopular},
        "shifts": [{"id": s.id, "minutes": s.minutes, "start": start(s), "not_follow": list(s.not_follow),
                    "name": s.name, "unpopular": s.unpopular} for s in problem.shifts],
        "staff": [{"id": p.id, "name": p.name, "areas": sorted(p.areas), "languages": sorted(p.languages),
                   "max_shifts": dict(p.max_shifts), "min_minutes": p.min_minutes, "max_minutes": p.max_minutes,
                   "min_consecutive": p.min_consecutive, "max_consecutive": p.max_consecutive,
                   "min_days_off": p.min_days_off, "max_weekends": p.max_weekends, "days_off": sorted(p.days_off),
                   "group": p.group, "city": p.city} for p in problem.staff],
        "covers": [{"day": c.day, "shift": c.shift, "requirement": c.requirement, "under_weight": c.under_weight,
                    "over_weight": c.over_weight, "area": c.area, "language": c.language, "hard_min": c.hard_min,
                    "city": c.city}
                   for c in problem.covers],
        "on_requests": [r.__dict__ for r in problem.on_requests],
        "off_requests": [r.__dict__ for r in problem.off_requests],
        "pins": [pin.__dict__ for pin in problem.pins],
        "published": problem.published, "change_weight": problem.change_weight,
    }


def write_json(problem: Problem, path: str) -> None:
    """Write a problem as JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(problem_to_json(problem), handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def roster_to_json(roster: Roster) -> dict:
    """A roster as the JSON object {staff id: [shift id or ""]}."""
    return {sid: list(row) for sid, row in roster.items()}
