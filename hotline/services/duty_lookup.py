"""Who is on duty now for a legal area and language, as an ordered fallback list for routing calls."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Integer, String, bindparam, select, text
from sqlalchemy.orm import Session, aliased

from hotline.models import (
    City, DutyAssignment, DutyPeriod, Lawyer, LawyerArea, LawyerLanguage, SeatRequirement, Shift, ShiftType,
)
from hotline.models.types import UTCDateTime

ROUTED_KINDS = ("hotline", "oncall")


@dataclass(frozen=True)
class OnDuty:
    """A lawyer on duty now, and why they come at this place in the list."""

    lawyer_id: int
    name: str
    phone: str
    reason: str  # "seat", "city", "neighbour", "qualified"


# No shift is longer than a day, so only shifts that started in the last 24 hours can be running now.
LONGEST_SHIFT = timedelta(hours=24)


def _running_shifts():
    """Ids of published hotline or on-call shifts running at :now (:since is a day earlier; uses the time index)."""
    now = bindparam("now", type_=UTCDateTime())
    return (
        select(Shift.id)
        .join(DutyPeriod, DutyPeriod.id == Shift.period_id)
        .join(ShiftType, ShiftType.id == Shift.shift_type_id)
        .where(Shift.starts_at > bindparam("since", type_=UTCDateTime()), Shift.starts_at <= now, Shift.ends_at > now,
               DutyPeriod.status == "published", ShiftType.kind.in_(ROUTED_KINDS))
    )


def _at(now: datetime) -> dict:
    """The time parameters of _running_shifts()."""
    return {"since": now - LONGEST_SHIFT, "now": now}


@lru_cache(maxsize=2)
def _on_duty_query(by_area: bool):
    """The on-duty rows: each duty of a running shift whose lawyer is active and speaks :language (and practises
    :area), with the lawyer's city code and the caller's city's neighbours (:city_id).

    Built once with bound parameters (building it anew cost as much as running it); the running shifts are a
    subquery (a seven-way join took PostgreSQL far longer to plan than to run). Migration 0004 holds the same
    query as the PostgreSQL function on_duty_rows(); a test keeps the two equal.
    """
    shift_ids = _running_shifts().scalar_subquery()
    speaks = select(LawyerLanguage.lawyer_id).where(LawyerLanguage.lawyer_id == Lawyer.id,
                                                   LawyerLanguage.language == bindparam("language")).exists()
    caller = aliased(City)
    caller_neighbours = select(caller.neighbours).where(caller.id == bindparam("city_id", type_=Integer))
    query = (
        select(Lawyer.id, Lawyer.name, Lawyer.phone, Lawyer.city_id, SeatRequirement.legal_area,
               SeatRequirement.language, City.code.label("city_code"),
               caller_neighbours.scalar_subquery().label("caller_neighbours"))
        .select_from(DutyAssignment)
        .join(Lawyer, Lawyer.id == DutyAssignment.lawyer_id)
        .join(City, City.id == Lawyer.city_id)
        .outerjoin(SeatRequirement, SeatRequirement.id == DutyAssignment.seat_id)
        .where(DutyAssignment.shift_id.in_(shift_ids), Lawyer.active.is_(True), speaks)
    )
    if by_area:
        query = query.where(select(LawyerArea.lawyer_id).where(LawyerArea.lawyer_id == Lawyer.id,
                                                              LawyerArea.area == bindparam("area")).exists())
    return query


# PostgreSQL took several times longer to plan the query above than to run it, and psycopg forgets prepared
# statements at every rollback; a PL/pgSQL function keeps its plan for the life of the connection.
_ON_DUTY_ROWS = text("SELECT * FROM on_duty_rows(:since, :now, :language, :area, :city_id)").columns(
    id=Integer, name=String, phone=String, city_id=Integer, legal_area=String, language=String, city_code=String,
    caller_neighbours=String,
).bindparams(bindparam("since", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()),
             bindparam("language", type_=String), bindparam("area", type_=String), bindparam("city_id", type_=Integer))


def on_duty_rows(session: Session, area: str | None, language: str, now: datetime, city_id: int | None):
    """The rows of _on_duty_query() for this moment, through the stored function on PostgreSQL."""
    params = _at(now) | {"language": language, "area": area, "city_id": city_id}
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(_ON_DUTY_ROWS, params).all()
    return session.execute(_on_duty_query(area is not None), params).all()


def on_duty(session: Session, area: str | None, language: str, now: datetime, city_id: int | None = None) -> list[OnDuty]:
    """Lawyers on a published hotline or on-call shift now, best first, each once.

    Order: the lawyers whose seat is for this area (and language); then qualified lawyers in the caller's city;
    then in neighbouring cities; then any qualified lawyer on duty. A lawyer must speak the caller's language and
    practise the area (any area when the caller chose "other").
    """
    rows = on_duty_rows(session, area, language, now, city_id)
    if not rows:
        return []
    neighbours = [code for code in (rows[0].caller_neighbours or "").split(",") if code]

    def rank(row) -> tuple[int, str]:
        if area is not None and row.legal_area == area and row.language in (None, language):
            return 0, "seat"
        if city_id is not None and row.city_id == city_id:
            return 1, "city"
        if row.city_code in neighbours:
            return 2 + neighbours.index(row.city_code), "neighbour"
        return 10, "qualified"

    best: dict[int, tuple[int, str, object]] = {}
    for row in rows:
        place, reason = rank(row)
        if row.id not in best or place < best[row.id][0]:
            best[row.id] = (place, reason, row)
    ordered = sorted(best.items(), key=lambda item: (item[1][0], item[0]))
    return [OnDuty(lawyer_id, row.name, row.phone, reason) for lawyer_id, (_place, reason, row) in ordered]


def next_shift_start(session: Session, now: datetime, within: timedelta = timedelta(days=7)) -> datetime | None:
    """When the next published hotline or on-call shift starts (the moment the on-duty answer next changes)."""
    return session.scalar(
        select(Shift.starts_at).join(DutyPeriod, DutyPeriod.id == Shift.period_id)
        .join(ShiftType, ShiftType.id == Shift.shift_type_id)
        .where(Shift.starts_at > now, Shift.starts_at <= now + within, DutyPeriod.status == "published",
               ShiftType.kind.in_(ROUTED_KINDS))
        .order_by(Shift.starts_at).limit(1))


def anyone_on_duty(session: Session, now: datetime) -> bool:
    """True when any published hotline or on-call shift is running now (the hotline's opening hours)."""
    return session.execute(_running_shifts().limit(1), _at(now)).first() is not None


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
