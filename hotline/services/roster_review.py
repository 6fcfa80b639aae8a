"""What a coordinator reviews before publishing: the calendar grid, load per lawyer, fairness, seats left empty."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.models import DutyAssignment, DutyPeriod, Job, PublicHoliday, Shift, ShiftType


@dataclass
class Load:
    """One lawyer's share of the period."""

    lawyer_id: int
    name: str
    duties: int = 0
    minutes: int = 0
    unpopular: int = 0


@dataclass
class Review:
    """The period laid out for review."""

    days: list[date]
    types: list[ShiftType]
    grid: dict[tuple[date, int], list[str]] = field(default_factory=dict)
    seats: dict[tuple[date, int], int] = field(default_factory=dict)
    loads: list[Load] = field(default_factory=list)
    holidays: set[date] = field(default_factory=set)

    @property
    def duties(self) -> int:
        return sum(load.duties for load in self.loads)

    @property
    def spread(self) -> tuple[int, int]:
        """Fewest and most duties among lawyers on the roster."""
        counts = [load.duties for load in self.loads] or [0]
        return min(counts), max(counts)

    @property
    def unpopular_spread(self) -> tuple[int, int]:
        """Fewest and most unpopular duties (nights, weekends, holidays) among lawyers on the roster."""
        counts = [load.unpopular for load in self.loads] or [0]
        return min(counts), max(counts)

    def short(self) -> list[tuple[date, ShiftType, int, int]]:
        """Shifts with fewer people than seats: (day, type, people, seats)."""
        by_id = {t.id: t for t in self.types}
        return [(day, by_id[type_id], len(self.grid.get((day, type_id), [])), seats)
                for (day, type_id), seats in sorted(self.seats.items(), key=lambda kv: (kv[0][0], kv[0][1]))
                if len(self.grid.get((day, type_id), [])) < seats]


def review(session: Session, period: DutyPeriod) -> Review:
    """Lay out the period's duties by day and shift, and sum them per lawyer."""
    shifts = list(session.scalars(select(Shift).where(Shift.period_id == period.id)
                                  .options(selectinload(Shift.seats), selectinload(Shift.shift_type))))
    types = sorted({shift.shift_type_id: shift.shift_type for shift in shifts}.values(), key=lambda t: t.starts)
    days = [period.starts_on + timedelta(days=i) for i in range((period.ends_on - period.starts_on).days + 1)]
    result = Review(days=days, types=types)
    result.holidays = set(session.scalars(select(PublicHoliday.day).where(
        PublicHoliday.day.between(period.starts_on, period.ends_on))))
    for shift in shifts:
        general = [seat.seats for seat in shift.seats if seat.legal_area is None and seat.language is None]
        result.seats[(shift.day, shift.shift_type_id)] = max(general) if general else max((s.seats for s in shift.seats), default=0)
    loads: dict[int, Load] = {}
    duties = session.scalars(
        select(DutyAssignment).join(Shift).where(Shift.period_id == period.id)
        .options(selectinload(DutyAssignment.lawyer), selectinload(DutyAssignment.shift).selectinload(Shift.shift_type))
    )
    for duty in duties:
        shift = duty.shift
        result.grid.setdefault((shift.day, shift.shift_type_id), []).append(duty.lawyer.name)
        load = loads.setdefault(duty.lawyer_id, Load(duty.lawyer_id, duty.lawyer.name))
        load.duties += 1
        load.minutes += shift.shift_type.minutes
        if shift.shift_type.unpopular or shift.day.weekday() >= 5 or shift.day in result.holidays:
            load.unpopular += 1
    for names in result.grid.values():
        names.sort()
    result.loads = sorted(loads.values(), key=lambda l: (-l.duties, l.name))
    return result


def latest_solve(session: Session, period_id: int, kind: str = "roster_solve", since: datetime | None = None) -> Job | None:
    """The most recent solve (or re-plan) job of this period, started at or after `since` when given."""
    query = select(Job).where(Job.kind == kind)
    if since is not None:
        query = query.where(Job.created_at >= since)
    for job in session.scalars(query.order_by(Job.id.desc()).limit(50)):
        if json.loads(job.params_json or "{}").get("period_id") == period_id:
            return job
    return None
