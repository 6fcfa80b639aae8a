"""Reader for the Curtois shift-scheduling text format (schedulingbenchmarks.org, instances 1-24).

Sections: SECTION_HORIZON, SECTION_SHIFTS, SECTION_STAFF, SECTION_DAYS_OFF, SECTION_SHIFT_ON_REQUESTS,
SECTION_SHIFT_OFF_REQUESTS, SECTION_COVER; '#' starts a comment. Day 0 is a Monday. Every mistake raises
``InputError`` naming the file and line.
"""
from __future__ import annotations

from pathlib import Path

from scheduling.cli import InputError
from scheduling.roster.problem import Cover, Problem, Request, ShiftType, Staff

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
_FIELDS = {
    "SECTION_SHIFTS": 3,
    "SECTION_STAFF": 8,
    "SECTION_SHIFT_ON_REQUESTS": 4,
    "SECTION_SHIFT_OFF_REQUESTS": 4,
    "SECTION_COVER": 5,
}


def looks_like_curtois(text: str) -> bool:
    """True when the text has the Curtois section headers."""
    return "SECTION_HORIZON" in text and "SECTION_SHIFTS" in text


def read_curtois(path: str | Path) -> Problem:
    """Read a Curtois instance file into a Problem."""
    path = str(path)
    with open(path, encoding="utf-8") as handle:
        return parse_curtois(handle.read(), path)


def parse_curtois(text: str, path: str = "<text>") -> Problem:
    """Parse Curtois text into a Problem; `path` is used in error messages."""
    rows: dict[str, list[tuple[int, list[str]]]] = {name: [] for name in SECTIONS}
    section = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            if line not in rows:
                raise InputError(path, number, f"unknown section {line!r}")
            section = line
            continue
        if section is None:
            raise InputError(path, number, "data before the first SECTION_ header")
        fields = [part.strip() for part in line.split(",")]
        wanted = _FIELDS.get(section)
        if wanted is not None and len(fields) != wanted:
            raise InputError(path, number, f"{section} needs {wanted} comma-separated fields, found {len(fields)}")
        rows[section].append((number, fields))
    if not rows["SECTION_HORIZON"]:
        raise InputError(path, None, "missing SECTION_HORIZON")
    number, fields = rows["SECTION_HORIZON"][0]
    days = _int(path, number, fields[0], "horizon", low=1)
    shifts = _shifts(path, rows["SECTION_SHIFTS"])
    if not shifts:
        raise InputError(path, None, "no shift types in SECTION_SHIFTS")
    shift_ids = {s.id for s in shifts}
    staff = _staff(path, rows["SECTION_STAFF"], shift_ids, days)
    staff = _days_off(path, rows["SECTION_DAYS_OFF"], staff, days)
    ids = {p.id for p in staff}
    on = [_request(path, n, f, ids, shift_ids, days) for n, f in rows["SECTION_SHIFT_ON_REQUESTS"]]
    off = [_request(path, n, f, ids, shift_ids, days) for n, f in rows["SECTION_SHIFT_OFF_REQUESTS"]]
    covers = []
    for n, f in rows["SECTION_COVER"]:
        day = _int(path, n, f[0], "day", 0, days - 1)
        if f[1] not in shift_ids:
            raise InputError(path, n, f"unknown shift {f[1]!r}")
        covers.append(
            Cover(day, f[1], _int(path, n, f[2], "requirement", 0), _int(path, n, f[3], "under weight", 0),
                  _int(path, n, f[4], "over weight", 0))
        )
    name = Path(path).stem if path != "<text>" else ""
    return Problem(days=days, shifts=shifts, staff=staff, covers=covers, on_requests=on, off_requests=off, name=name)


def _int(path: str, line: int, text: str, what: str, low: int | None = None, high: int | None = None) -> int:
    """Parse a whole number in [low, high] or raise InputError."""
    try:
        value = int(text)
    except ValueError:
        raise InputError(path, line, f"{what} is not a whole number: {text!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{low}..{high}" if high is not None else f"at least {low}"
        raise InputError(path, line, f"{what} {value} out of range ({span})")
    return value


def _shifts(path: str, rows: list[tuple[int, list[str]]]) -> list[ShiftType]:
    """SECTION_SHIFTS: ShiftID, minutes, NotFollow1|NotFollow2."""
    ids = [f[0] for _, f in rows]
    shifts = []
    for number, (sid, minutes, follow) in rows:
        if not sid:
            raise InputError(path, number, "empty shift id")
        if ids.count(sid) > 1:
            raise InputError(path, number, f"shift {sid!r} defined twice")
        not_follow = tuple(x.strip() for x in follow.split("|") if x.strip())
        for other in not_follow:
            if other not in ids:
                raise InputError(path, number, f"unknown shift {other!r} in the not-follow list")
        shifts.append(ShiftType(sid, _int(path, number, minutes, "shift length", 0), not_follow=not_follow))
    return shifts


def _staff(path: str, rows, shift_ids: set[str], days: int) -> list[Staff]:
    """SECTION_STAFF: ID, MaxShifts, MaxTotal, MinTotal, MaxConsecutive, MinConsecutive, MinDaysOff, MaxWeekends."""
    staff: list[Staff] = []
    seen: set[str] = set()
    for number, fields in rows:
        sid = fields[0]
        if not sid or sid in seen:
            raise InputError(path, number, f"staff id {sid!r} empty or repeated")
        seen.add(sid)
        max_shifts: dict[str, int] = {}
        for item in filter(None, (x.strip() for x in fields[1].split("|"))):
            key, _, value = item.partition("=")
            if key not in shift_ids:
                raise InputError(path, number, f"unknown shift {key!r} in MaxShifts")
            max_shifts[key] = _int(path, number, value, f"MaxShifts for {key}", 0)
        values = [_int(path, number, text, name, 0) for text, name in zip(
            fields[2:], ("MaxTotalMinutes", "MinTotalMinutes", "MaxConsecutiveShifts", "MinConsecutiveShifts",
                         "MinConsecutiveDaysOff", "MaxWeekends"))]
        max_total, min_total, max_cons, min_cons, min_off, max_weekends = values
        staff.append(Staff(sid, max_shifts=max_shifts, min_minutes=min_total, max_minutes=max_total,
                           min_consecutive=max(min_cons, 1), max_consecutive=max_cons,
                           min_days_off=max(min_off, 1), max_weekends=max_weekends))
    return staff


def _days_off(path: str, rows, staff: list[Staff], days: int) -> list[Staff]:
    """SECTION_DAYS_OFF: ID, d1, d2, ..."""
    by_id = {p.id: p for p in staff}
    for number, fields in rows:
        if fields[0] not in by_id:
            raise InputError(path, number, f"unknown staff {fields[0]!r}")
        off = {_int(path, number, text, "day", 0, days - 1) for text in fields[1:] if text}
        person = by_id[fields[0]]
        by_id[fields[0]] = Staff(**{**person.__dict__, "days_off": person.days_off | frozenset(off)})
    return [by_id[p.id] for p in staff]


def _request(path: str, number: int, fields: list[str], ids, shift_ids, days: int) -> Request:
    """A shift-on or shift-off request line: ID, Day, ShiftID, Weight."""
    if fields[0] not in ids:
        raise InputError(path, number, f"unknown staff {fields[0]!r}")
    if fields[2] not in shift_ids:
        raise InputError(path, number, f"unknown shift {fields[2]!r}")
    day = _int(path, number, fields[1], "day", 0, days - 1)
    return Request(fields[0], day, fields[2], _int(path, number, fields[3], "weight", 0))
