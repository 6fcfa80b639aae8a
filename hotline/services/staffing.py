"""Seats per hotline shift from call volume: phone calls of the weeks before a period, their forecast, the seats
Erlang C says each shift needs, what then happened, and setting those seats on a draft period."""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Contact, DutyPeriod, SeatRequirement, Shift, ShiftType
from hotline.models.types import PROVINCE_TZ
from hotline.services import rostering
from scheduling import staffing

# On-call nights are left out: their lawyer takes only the calls put through to them, not the line's queue, and
# their one seat is a rule, not a matter of volume.
PLANNED_KINDS = ("hotline",)
DEFAULT_AHT = 300.0  # seconds per call when no answered call of the history has a duration
MAX_SEATS = 50  # the most the seats form allows on one line
MIN_SEATS = 1  # an open hotline has someone to answer it, whatever the forecast


@dataclass(frozen=True)
class Targets:
    """How a plan is made: weeks of history, and the share of calls to answer within so many seconds."""

    weeks: int = 8
    level: float = 0.8
    seconds: int = 20


@dataclass
class ShiftPlan:
    """One hotline shift: the calls expected, the seats they need, the seats set now, and the calls that came."""

    shift_id: int
    day: date
    shift_type: ShiftType
    forecast_calls: float
    peak_rate: float  # forecast calls per hour in the shift's busiest hour
    seats_needed: int
    capped: bool  # more than MAX_SEATS would be needed
    general_seats: int | None  # the shift's seat line for any lawyer (no area, language or city), if it has one
    hard_minimum: int
    actual_calls: int | None  # None until the shift is over

    @property
    def seats_to_set(self) -> int:
        """What applying the plan sets: the seats needed, but at least one and at least the hard minimum."""
        return max(self.seats_needed, MIN_SEATS, self.hard_minimum)


@dataclass
class Plan:
    """A period's staffing plan and the history it was made from."""

    period_id: int
    targets: Targets
    history_from: date
    history_to: date  # the last day of history: the day before the period starts
    history_calls: int
    answered_calls: int  # answered calls with a duration, which the handling time is measured from
    aht_seconds: float
    aht_measured: bool  # False when no answered call had a duration and DEFAULT_AHT is used
    forecast: dict[staffing.Slot, float]
    shifts: list[ShiftPlan]


def _midnight(day: date) -> datetime:
    """The start of a day on the province's clock."""
    return datetime(day.year, day.month, day.day, tzinfo=PROVINCE_TZ)


def _phone_calls(start: datetime, end: datetime):
    """Phone contacts received in [start, end)."""
    return (Contact.channel == "phone", Contact.received_at >= start, Contact.received_at < end)


def _call_times(session: Session, start: datetime, end: datetime) -> list[datetime]:
    """When each phone call of [start, end) came in, on the province's clock, in order."""
    return [at.astimezone(PROVINCE_TZ) for at in session.scalars(
        select(Contact.received_at).where(*_phone_calls(start, end)).order_by(Contact.received_at))]


def handling_time(session: Session, start: datetime, end: datetime) -> tuple[float | None, int]:
    """Mean duration in seconds of the answered phone calls of [start, end) (None if none), and how many."""
    mean, count = session.execute(
        select(func.avg(Contact.duration_seconds), func.count(Contact.id))
        .where(*_phone_calls(start, end), Contact.answered_at.is_not(None), Contact.duration_seconds.is_not(None))
    ).one()
    return (float(mean) if mean else None), count


def _general_seat(seats: list[SeatRequirement]) -> SeatRequirement | None:
    """The shift's seat line for any lawyer: no legal area, language or city."""
    general = [s for s in seats if s.legal_area is None and s.language is None and s.city_id is None]
    return min(general, key=lambda s: s.id) if general else None


def _seats(rates: dict[staffing.Slot, float], start: datetime, end: datetime, aht: float,
           targets: Targets) -> tuple[int, bool]:
    """Seats the busiest hour of [start, end) needs, and whether that is more than MAX_SEATS."""
    try:
        return staffing.peak_agents(rates, start, end, aht, targets.level, targets.seconds, MAX_SEATS), False
    except ValueError:
        return MAX_SEATS, True


def plan(session: Session, period: DutyPeriod, targets: Targets, now: datetime) -> Plan:
    """Forecast each hotline shift's calls from the weeks before the period and size its seats with Erlang C."""
    end = _midnight(period.starts_on)
    start = end - targets.weeks * staffing.WEEK
    history = _call_times(session, start, end)
    measured, answered = handling_time(session, start, end)
    aht = measured or DEFAULT_AHT
    rates = staffing.forecast(staffing.weekly_counts(history, end, targets.weeks))
    shifts = list(session.scalars(
        select(Shift).join(ShiftType).where(Shift.period_id == period.id, ShiftType.kind.in_(PLANNED_KINDS))
        .options(selectinload(Shift.seats), selectinload(Shift.shift_type)).order_by(Shift.starts_at, Shift.id)))
    past = [s for s in shifts if s.ends_at <= now]
    came = _call_times(session, min(s.starts_at for s in past), max(s.ends_at for s in past)) if past else []
    items = []
    for shift in shifts:
        starts, ends = shift.starts_at.astimezone(PROVINCE_TZ), shift.ends_at.astimezone(PROVINCE_TZ)
        seats, capped = _seats(rates, starts, ends, aht, targets)
        general = _general_seat(shift.seats)
        actual = bisect.bisect_left(came, ends) - bisect.bisect_left(came, starts) if shift.ends_at <= now else None
        items.append(ShiftPlan(
            shift_id=shift.id, day=shift.day, shift_type=shift.shift_type,
            forecast_calls=staffing.expected_calls(rates, starts, ends),
            peak_rate=max((rates[slot] for slot, _ in staffing.hours_covered(starts, ends)), default=0.0),
            seats_needed=seats, capped=capped, general_seats=general.seats if general else None,
            hard_minimum=general.hard_minimum if general else 0, actual_calls=actual))
    return Plan(period_id=period.id, targets=targets, history_from=start.date(),
                history_to=(end - timedelta(days=1)).date(), history_calls=len(history), answered_calls=answered,
                aht_seconds=aht, aht_measured=measured is not None, forecast=rates, shifts=items)


def apply_seats(session: Session, period: DutyPeriod, plan: Plan) -> int:
    """Set each planned shift's seat line for any lawyer to the plan's seats (adding the line if missing); the
    area, language and city lines stay as they are. Returns how many shifts changed."""
    if period.status != "draft":
        raise rostering.RosteringError("not_draft")
    if plan.period_id != period.id:
        raise ValueError("the plan is for another period")
    weights = rostering.DEFAULT_WEIGHTS | json.loads(period.weights_json or "{}")
    shifts = {s.id: s for s in session.scalars(
        select(Shift).where(Shift.period_id == period.id, Shift.id.in_([item.shift_id for item in plan.shifts]))
        .options(selectinload(Shift.seats)))}
    changed = 0
    for item in plan.shifts:
        shift = shifts.get(item.shift_id)
        if shift is None:
            continue
        general = _general_seat(shift.seats)
        seats = max(item.seats_needed, MIN_SEATS, general.hard_minimum if general else 0)
        if general is None:
            shift.seats.append(SeatRequirement(seats=seats, hard_minimum=0, under_weight=weights["under"],
                                               over_weight=weights["over"]))
        elif general.seats != seats:
            general.seats = seats
        else:
            continue
        changed += 1
    session.flush()
    return changed
