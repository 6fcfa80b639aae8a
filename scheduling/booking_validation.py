"""Validation of a consultation-booking batch: the engine refuses what it cannot allocate soundly.

Each refusal is an InvalidProblem (a ValueError) naming the lawyer, slot or request at fault, so the app can show
it and the command line can point at its line in the file.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduling.booking import BookingProblem, BookingSlot

MODES = ("video", "phone")
MAX_PRIORITY = 1_000_000  # keeps every cost far inside the flow solver's 64-bit range


class InvalidProblem(ValueError):
    """A problem the engine refuses; `section` ("lawyers", "slots" or "requests") and `item` locate the culprit."""

    def __init__(self, section: str, item: str, message: str):
        super().__init__(message)
        self.section = section
        self.item = item


def validate(problem: BookingProblem) -> None:
    """Raise InvalidProblem (a ValueError) naming the first bad lawyer, slot or request."""
    lawyers = _unique_ids("lawyers", "lawyer", problem.lawyers)
    _unique_ids("slots", "slot", problem.slots)
    _unique_ids("requests", "request", problem.requests)
    for lawyer in problem.lawyers:
        if not _whole(lawyer.daily_cap) or lawyer.daily_cap < 0:
            raise InvalidProblem("lawyers", lawyer.id, f"lawyer {lawyer.id!r}: daily cap must be a whole number >= 0")
        if any(not _whole(n) or n < 0 for n in lawyer.already_booked.values()):
            raise InvalidProblem("lawyers", lawyer.id, f"lawyer {lawyer.id!r}: already booked counts must be >= 0")
    aware = _timezone_awareness(problem)
    for slot in problem.slots:
        where = f"slot {slot.id!r}"
        if slot.lawyer not in lawyers:
            raise InvalidProblem("slots", slot.id, f"{where}: unknown lawyer {slot.lawyer!r}")
        _check_span("slots", slot.id, where, slot.start, slot.end, aware)
        _check_mode("slots", slot.id, where, slot.mode)
        if not isinstance(slot.day, date) or isinstance(slot.day, datetime):
            raise InvalidProblem("slots", slot.id, f"{where}: day must be a date")
    _no_overlapping_slots(problem.slots)
    for request in problem.requests:
        where = f"request {request.id!r}"
        _check_mode("requests", request.id, where, request.mode)
        if not _whole(request.priority) or not 1 <= request.priority <= MAX_PRIORITY:
            raise InvalidProblem("requests", request.id, f"{where}: priority must be a whole number from 1 to "
                                                         f"{MAX_PRIORITY}")
        for number, window in enumerate(request.windows, 1):
            if len(window) != 2:
                raise InvalidProblem("requests", request.id, f"{where}: window {number} is not a (start, end) pair")
            _check_span("requests", request.id, f"{where}: window {number}", window[0], window[1], aware)


def _whole(value) -> bool:
    """A whole number (True and False are not counts)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _unique_ids(section: str, noun: str, items) -> set[str]:
    """The ids of one section; a repeated id is refused."""
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise InvalidProblem(section, item.id, f"{noun} id {item.id!r} appears twice")
        seen.add(item.id)
    return seen


def _timezone_awareness(problem: BookingProblem) -> bool | None:
    """Whether the first datetime has a UTC offset; the others must agree (naive and aware do not compare)."""
    for slot in problem.slots:
        if isinstance(slot.start, datetime):
            return slot.start.tzinfo is not None
    for request in problem.requests:
        for window in request.windows:
            if window and isinstance(window[0], datetime):
                return window[0].tzinfo is not None
    return None


def _check_span(section: str, ident: str, where: str, start, end, aware: bool | None) -> None:
    """Start and end are datetimes like all the others (with or without offsets), and end comes after start."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise InvalidProblem(section, ident, f"{where}: start and end must be datetimes")
    if (start.tzinfo is not None) != aware or (end.tzinfo is not None) != aware:
        raise InvalidProblem(section, ident, f"{where}: mixes datetimes with and without a UTC offset")
    if end <= start:
        raise InvalidProblem(section, ident, f"{where}: end must come after start")


def _check_mode(section: str, ident: str, where: str, mode: str) -> None:
    """A consultation is by video or by phone."""
    if mode not in MODES:
        raise InvalidProblem(section, ident, f"{where}: mode must be one of {', '.join(MODES)}, not {mode!r}")


def _no_overlapping_slots(slots) -> None:
    """A lawyer's slots never overlap in time (one consultation at a time); back-to-back slots are fine."""
    by_lawyer: dict[str, list[BookingSlot]] = {}
    for slot in slots:
        by_lawyer.setdefault(slot.lawyer, []).append(slot)
    for lawyer, own in by_lawyer.items():
        own.sort(key=lambda s: (s.start, s.end))
        latest = own[0]
        for slot in own[1:]:
            if slot.start < latest.end:
                raise InvalidProblem("slots", slot.id, f"lawyer {lawyer!r} has overlapping slots "
                                                       f"{latest.id!r} and {slot.id!r}")
            if slot.end > latest.end:
                latest = slot
