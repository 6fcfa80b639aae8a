"""Who is on duty now for a legal area and language, as an ordered fallback list for routing calls."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.models import City, DutyAssignment, DutyPeriod, Lawyer, SeatRequirement, Shift, ShiftType

ROUTED_KINDS = ("hotline", "oncall")


@dataclass(frozen=True)
class OnDuty:
    """A lawyer on duty now, and why they come at this place in the list."""

    lawyer_id: int
    name: str
    phone: str
    reason: str  # "seat", "city", "neighbour", "qualified"


def on_duty(session: Session, area: str | None, language: str, now: datetime, city_id: int | None = None) -> list[OnDuty]:
    """Lawyers on a published hotline or on-call shift now, best first, each once.

    Order: the lawyers whose seat is for this area (and language); then qualified lawyers in the caller's city;
    then in neighbouring cities; then any qualified lawyer on duty. A lawyer must speak the caller's language and
    practise the area (any area when the caller chose "other").
    """
    rows = session.execute(
        select(DutyAssignment.lawyer_id, SeatRequirement.legal_area, SeatRequirement.language)
        .join(Shift, Shift.id == DutyAssignment.shift_id)
        .join(DutyPeriod, DutyPeriod.id == Shift.period_id)
        .join(ShiftType, ShiftType.id == Shift.shift_type_id)
        .outerjoin(SeatRequirement, SeatRequirement.id == DutyAssignment.seat_id)
        .where(
            DutyPeriod.status == "published",
            Shift.starts_at <= now,
            Shift.ends_at > now,
            ShiftType.kind.in_(ROUTED_KINDS),
        )
    ).all()
    if not rows:
        return []
    seats = {lawyer_id: (seat_area, seat_language) for lawyer_id, seat_area, seat_language in rows}
    lawyers = session.scalars(
        select(Lawyer)
        .where(Lawyer.id.in_(seats), Lawyer.active.is_(True))
        .options(selectinload(Lawyer.areas), selectinload(Lawyer.languages))
        .order_by(Lawyer.id)
    ).all()
    neighbours: list[int] = []
    if city_id is not None:
        city = session.get(City, city_id)
        if city is not None:
            codes = city.neighbour_codes()
            by_code = dict(session.execute(select(City.code, City.id).where(City.code.in_(codes))).all())
            neighbours = [by_code[code] for code in codes if code in by_code]

    def rank(lawyer: Lawyer) -> tuple[int, str] | None:
        speaks = language in lawyer.language_codes()
        qualified = area is None or area in lawyer.area_codes()
        seat_area, seat_language = seats[lawyer.id]
        if not speaks or not qualified:
            return None
        if area is not None and seat_area == area and seat_language in (None, language):
            return 0, "seat"
        if city_id is not None and lawyer.city_id == city_id:
            return 1, "city"
        if lawyer.city_id in neighbours:
            return 2 + neighbours.index(lawyer.city_id), "neighbour"
        return 10, "qualified"

    ranked = []
    for lawyer in lawyers:
        place = rank(lawyer)
        if place is not None:
            ranked.append((place[0], lawyer.id, OnDuty(lawyer.id, lawyer.name, lawyer.phone, place[1])))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in ranked]


def anyone_on_duty(session: Session, now: datetime) -> bool:
    """True when any published hotline or on-call shift is running now (the hotline's opening hours)."""
    return (
        session.execute(
            select(Shift.id)
            .join(DutyPeriod, DutyPeriod.id == Shift.period_id)
            .join(ShiftType, ShiftType.id == Shift.shift_type_id)
            .where(DutyPeriod.status == "published", Shift.starts_at <= now, Shift.ends_at > now,
                   ShiftType.kind.in_(ROUTED_KINDS))
            .limit(1)
        ).first()
        is not None
    )


class OpenCache:
    """Remembers for a few seconds whether the hotline is open, so a burst of calls asks the database once."""

    def __init__(self, seconds: float = 10.0):
        self.seconds = timedelta(seconds=seconds)
        self._checked_at: datetime | None = None
        self._value = False

    def anyone_on_duty(self, session: Session, now: datetime) -> bool:
        """anyone_on_duty(), asked again when the last answer is older than the cache's lifetime."""
        if self._checked_at is None or not (self._checked_at <= now < self._checked_at + self.seconds):
            self._value = anyone_on_duty(session, now)
            self._checked_at = now
        return self._value
