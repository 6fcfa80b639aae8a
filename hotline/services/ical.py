"""A lawyer's duties as an iCalendar feed (RFC 5545) and as calendar weeks for the page."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from hotline.models import Shift

# Every kind of line break a calendar reader might split on (CRLF, a bare CR or LF, and Unicode's other breaks):
# each becomes one escaped newline, so text typed by a liaison can never start a property line of its own.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# RFC 5545 TEXT allows no other control character but the tab.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n, no controls."""
    text = _CONTROL.sub("", _LINE_BREAK.sub("\n", text))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold lines longer than 75 octets, as RFC 5545 requires."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Event:
    """One calendar event besides duties (a consultation)."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""


MODE_NAMES = {"video": "视频咨询 / Video consultation", "phone": "电话咨询 / Phone consultation"}


def consultation_events(bookings, viewer: str) -> list[Event]:
    """Events for booked or held consultations; the lawyer sees the project, the liaison sees the lawyer."""
    events = []
    for booking in bookings:
        if booking.status == "cancelled":
            continue
        other = booking.request.project.name if viewer == "lawyer" else booking.lawyer.name
        events.append(Event(f"booking-{booking.id}@12348.liaoning", booking.starts_at, booking.ends_at,
                            f"12348 {MODE_NAMES[booking.mode]}: {other}", booking.request.description[:500]))
    return events


def feed(owner: str, duties: list[tuple[int, Shift]], now: datetime, bookings: list[Event] = ()) -> str:
    """The VCALENDAR text: one event per duty and per consultation, times in UTC."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//12348 Liaoning//Lawyer duties//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape('12348 值班 ' + owner)}", "X-WR-TIMEZONE:Asia/Shanghai"]
    for duty_id, shift in duties:
        kind = shift.shift_type
        lines += [
            "BEGIN:VEVENT",
            f"UID:duty-{duty_id}@12348.liaoning",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(shift.starts_at)}",
            f"DTEND:{_utc(shift.ends_at)}",
            f"SUMMARY:{_escape(f'12348 {kind.name_zh} / {kind.name_en}')}",
            "END:VEVENT",
        ]
    for event in bookings:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_utc(now)}", f"DTSTART:{_utc(event.starts_at)}",
                  f"DTEND:{_utc(event.ends_at)}", f"SUMMARY:{_escape(event.summary)}"]
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def calendar_weeks(shifts: list[Shift]) -> list[list[tuple[date, list[Shift]]]]:
    """Monday-to-Sunday weeks from the first to the last duty, each day with its duties."""
    if not shifts:
        return []
    by_day: dict[date, list[Shift]] = {}
    for shift in shifts:
        by_day.setdefault(shift.day, []).append(shift)
    first = min(by_day) - timedelta(days=min(by_day).weekday())
    last = max(by_day)
    weeks, day = [], first
    while day <= last:
        weeks.append([(day + timedelta(days=i), by_day.get(day + timedelta(days=i), [])) for i in range(7)])
        day += timedelta(days=7)
    return weeks
