"""Duty periods in the database <-> the roster engine: create a period, build its problem, store and publish."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import (
    DutyAssignment, DutyPeriod, DutyRequest, Lawyer, PublicHoliday, SeatRequirement, Shift, ShiftSuccession, ShiftType,
    Unavailability,
)
from hotline.models.types import PROVINCE_TZ
from hotline.services import slots
from hotline.telephony import gateway
from scheduling.roster import problem as rp

# Seats a new period starts with, per shift type: (legal area, language, seats, hard minimum). The first row of
# each type is every seat of the shift; the others are how many of them need an area or a language.
DEFAULT_SEATS = {
    "AM": [(None, None, 4, 1), ("labour", None, 1, 0), ("marriage_family", None, 1, 0), (None, "ko", 1, 0)],
    "PM": [(None, None, 4, 1), ("labour", None, 1, 0), ("contracts_debts", None, 1, 0)],
    "EVE": [(None, None, 2, 1)],
    "NIGHT": [(None, None, 1, 1)],
    "VIDEO": [(None, None, 3, 0)],
    "PHONE": [(None, None, 2, 0)],
}
WEEKEND_SEATS = {"AM": [(None, None, 2, 1)], "PM": [(None, None, 2, 1)], "EVE": [(None, None, 1, 0)],
                 "NIGHT": [(None, None, 1, 1)]}
DEFAULT_WEIGHTS = {"under": 100, "over": 5, "fairness_duties": 10, "fairness_unpopular": 20, "request": 10}


class RosteringError(ValueError):
    """A period operation that cannot be done; str() is a code the view translates."""


class OverlapError(RosteringError):
    """A new period's dates overlap an existing period (named, for the message)."""

    def __init__(self, other: DutyPeriod):
        super().__init__("overlaps")
        self.other = other


def overlapping(session: Session, starts_on: date, ends_on: date, city_id: int | None = None) -> DutyPeriod | None:
    """A draft or published period sharing a day with these dates and a lawyer with this roster (two rosters for
    one day would double-book the lawyers and the router would ring both). The province's roster shares its
    lawyers with every city's; two cities' rosters share none."""
    query = select(DutyPeriod).where(DutyPeriod.status.in_(("draft", "published")), DutyPeriod.starts_on <= ends_on,
                                     DutyPeriod.ends_on >= starts_on)
    if city_id is not None:
        query = query.where((DutyPeriod.city_id.is_(None)) | (DutyPeriod.city_id == city_id))
    return session.scalar(query.order_by(DutyPeriod.starts_on).limit(1))


@dataclass
class PeriodData:
    """What a coordinator enters for a new period."""

    name: str
    starts_on: date
    ends_on: date
    shift_codes: list[str]
    city_id: int | None = None  # a city bureau's own roster


def _local(day: date, minutes_after_midnight: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=PROVINCE_TZ) + timedelta(minutes=minutes_after_midnight)


def create_period(session: Session, data: PeriodData, now: datetime) -> DutyPeriod:
    """A draft period with a shift per day and chosen type, and the default seats."""
    if data.ends_on < data.starts_on:
        raise RosteringError("ends_before_start")
    if (data.ends_on - data.starts_on).days > 62:
        raise RosteringError("too_long")
    types = list(session.scalars(select(ShiftType).where(ShiftType.code.in_(data.shift_codes)).order_by(ShiftType.starts)))
    if not types:
        raise RosteringError("no_shift_types")
    other = overlapping(session, data.starts_on, data.ends_on, data.city_id)
    if other is not None:
        raise OverlapError(other)
    period = DutyPeriod(name=data.name, starts_on=data.starts_on, ends_on=data.ends_on, status="draft",
                        weights_json=json.dumps(DEFAULT_WEIGHTS), created_at=now, city_id=data.city_id)
    session.add(period)
    session.flush()
    weights = DEFAULT_WEIGHTS
    day = data.starts_on
    while day <= data.ends_on:
        for shift_type in types:
            start = shift_type.starts.hour * 60 + shift_type.starts.minute
            starts_at = _local(day, start)
            shift = Shift(period_id=period.id, day=day, shift_type_id=shift_type.id, starts_at=starts_at,
                          ends_at=starts_at + timedelta(minutes=shift_type.minutes))
            session.add(shift)
            template = (WEEKEND_SEATS if day.weekday() >= 5 else DEFAULT_SEATS).get(shift_type.code, [(None, None, 1, 0)])
            for area, language, seats, hard in template:
                shift.seats.append(SeatRequirement(legal_area=area, language=language, seats=seats, hard_minimum=hard,
                                                   under_weight=weights["under"], over_weight=weights["over"] if area is None and language is None else 0))
        day += timedelta(days=1)
    session.flush()
    return period


SWAP_CLOSED_NOTE = "The duty left the roster (an absence was approved, or a re-plan moved it)."


def close_swaps(session: Session, duty_id: int, user_id: int | None, now: datetime) -> None:
    """Pending swaps naming a duty that is about to leave the roster are refused with the reason; the requests are
    kept (their reference to the duty becomes NULL when it goes)."""
    for request in session.scalars(select(DutyRequest).where(
            DutyRequest.status == "pending",
            or_(DutyRequest.assignment_id == duty_id, DutyRequest.colleague_assignment_id == duty_id))):
        request.status = "rejected"
        request.decided_at = now
        request.decided_by_id = user_id
        request.decision_note = SWAP_CLOSED_NOTE
    session.flush()


def delete_period(session: Session, period: DutyPeriod) -> None:
    """Delete a draft period with its shifts, seats and draft duties (a published one is history: refused)."""
    if period.status != "draft":
        raise RosteringError("not_draft")
    session.delete(period)
    session.flush()


def unpin(session: Session, period: DutyPeriod, duty_id: int) -> DutyAssignment | None:
    """Let the engine move a pinned duty of the period again; None when the period holds no such duty."""
    duty = session.scalar(select(DutyAssignment).join(Shift).where(DutyAssignment.id == duty_id,
                                                                   Shift.period_id == period.id))
    if duty is None:
        return None
    duty.pinned = False
    session.flush()
    return duty


def pinned_duties(session: Session, period: DutyPeriod) -> list[DutyAssignment]:
    """The period's pinned duties, which every solve and re-plan must keep, by time."""
    return list(session.scalars(
        select(DutyAssignment).join(Shift).where(Shift.period_id == period.id, DutyAssignment.pinned.is_(True))
        .options(selectinload(DutyAssignment.lawyer), selectinload(DutyAssignment.shift).selectinload(Shift.shift_type))
        .order_by(Shift.starts_at)))


@dataclass
class Built:
    """A period's roster problem and the maps back to database ids."""

    problem: rp.Problem
    shift_ids: dict[tuple[int, str], int]  # (day index, shift code) -> Shift.id
    lawyer_ids: dict[str, int]


def too_soon_after(before: ShiftType, types) -> set[str]:
    """Codes of the shift types that start the next day sooner than `before`'s minimum rest after its end (each type
    keeps its own rest: 11 hours after a night on call)."""
    if not before.min_rest_hours:
        return set()
    ends = before.starts.hour * 60 + before.starts.minute + before.minutes
    return {after.code for after in types
            if 1440 + after.starts.hour * 60 + after.starts.minute - ends < before.min_rest_hours * 60}


def build_problem(session: Session, period: DutyPeriod, lawyers: list[Lawyer] | None = None) -> Built:
    """The roster problem of a period: its shifts and seats, the lawyers with their limits, requests and absences."""
    weights = DEFAULT_WEIGHTS | json.loads(period.weights_json or "{}")
    days = (period.ends_on - period.starts_on).days + 1
    shifts = list(session.scalars(
        select(Shift).where(Shift.period_id == period.id).options(selectinload(Shift.seats), selectinload(Shift.shift_type))
    ))
    types = {shift.shift_type.code: shift.shift_type for shift in shifts}
    not_follow = {}
    for before, after in session.execute(select(ShiftSuccession.preceding_id, ShiftSuccession.following_id)).all():
        not_follow.setdefault(before, []).append(after)
    by_id = {t.id: t for t in session.scalars(select(ShiftType))}
    shift_types = [
        rp.ShiftType(id=t.code, minutes=t.minutes, start=t.starts.hour * 60 + t.starts.minute, name=t.name_en,
                     unpopular=t.unpopular,
                     not_follow=tuple(sorted({by_id[f].code for f in not_follow.get(t.id, []) if by_id[f].code in types}
                                             | too_soon_after(t, types.values()))))
        for t in sorted(types.values(), key=lambda t: t.starts)
    ]
    if lawyers is None:
        lawyers = list(session.scalars(
            select(Lawyer).where(Lawyer.active.is_(True), Lawyer.on_duty_roster.is_(True),
                                 *([Lawyer.city_id == period.city_id] if period.city_id is not None else []))
            .options(selectinload(Lawyer.areas), selectinload(Lawyer.languages))
            .order_by(Lawyer.id)
        ))
    scale = days / 30
    off = _days_off(session, period, lawyers)
    staff = [
        rp.Staff(id=str(l.id), name=l.name, areas=frozenset(l.area_codes()), languages=frozenset(l.language_codes()),
                 max_minutes=int(l.max_minutes_per_month * scale), min_minutes=int(l.min_minutes_per_month * scale),
                 max_consecutive=l.max_consecutive_days, min_days_off=l.min_days_off_between,
                 max_weekends=l.max_weekends, days_off=frozenset(off.get(l.id, ())), group=str(l.city_id),
                 city=str(l.city_id))
        for l in lawyers
    ]
    covers, shift_ids = [], {}
    for shift in shifts:
        index = (shift.day - period.starts_on).days
        shift_ids[(index, shift.shift_type.code)] = shift.id
        for seat in shift.seats:
            covers.append(rp.Cover(day=index, shift=shift.shift_type.code, requirement=seat.seats,
                                   under_weight=seat.under_weight, over_weight=seat.over_weight, area=seat.legal_area,
                                   language=seat.language, hard_min=seat.hard_minimum or None,
                                   city=str(seat.city_id) if seat.city_id else None))
    on, off_requests = _requests(session, period, {str(l.id) for l in lawyers}, types, days, weights["request"])
    holidays = frozenset((h - period.starts_on).days for h in session.scalars(
        select(PublicHoliday.day).where(PublicHoliday.day.between(period.starts_on, period.ends_on))))
    pins = [rp.Pin(staff=str(a.lawyer_id), day=(a.shift.day - period.starts_on).days, shift=a.shift.shift_type.code)
            for a in session.scalars(select(DutyAssignment).join(Shift).where(Shift.period_id == period.id,
                                                                              DutyAssignment.pinned.is_(True)))]
    problem = rp.Problem(days=days, shifts=shift_types, staff=staff, covers=covers, on_requests=on,
                         off_requests=off_requests, start=period.starts_on, holidays=holidays, pins=pins,
                         fairness=rp.Fairness(duties=weights["fairness_duties"], unpopular=weights["fairness_unpopular"]),
                         name=period.name)
    return Built(problem, shift_ids, {str(l.id): l.id for l in lawyers})


def _days_off(session: Session, period: DutyPeriod, lawyers: list[Lawyer]) -> dict[int, set[int]]:
    """Day indexes each lawyer cannot work: approved unavailability and approved days off."""
    start = _local(period.starts_on, 0)
    end = _local(period.ends_on + timedelta(days=1), 0)
    off: dict[int, set[int]] = {}
    days = (period.ends_on - period.starts_on).days + 1
    for item in session.scalars(select(Unavailability).where(
            Unavailability.status == "approved", Unavailability.starts_at < end, Unavailability.ends_at > start)):
        for index in range(days):
            day_start = _local(period.starts_on + timedelta(days=index), 0)
            if item.starts_at < day_start + timedelta(days=1) and item.ends_at > day_start:
                off.setdefault(item.lawyer_id, set()).add(index)
    for request in session.scalars(select(DutyRequest).where(
            DutyRequest.kind == "day_off", DutyRequest.status == "approved",
            DutyRequest.day.between(period.starts_on, period.ends_on))):
        off.setdefault(request.lawyer_id, set()).add((request.day - period.starts_on).days)
    return off


def _requests(session, period, staff_ids, types, days, weight):
    """Shift-on and shift-off wishes of the period."""
    on, off = [], []
    by_type = {t.id: t.code for t in types.values()}
    for request in session.scalars(select(DutyRequest).where(
            DutyRequest.kind.in_(("shift_on", "shift_off")), DutyRequest.status.in_(("pending", "approved")),
            DutyRequest.day.between(period.starts_on, period.ends_on))):
        code = by_type.get(request.shift_type_id)
        if code is None or str(request.lawyer_id) not in staff_ids:
            continue
        item = rp.Request(staff=str(request.lawyer_id), day=(request.day - period.starts_on).days, shift=code,
                          weight=request.weight or weight)
        (on if request.kind == "shift_on" else off).append(item)
    return on, off


def store_roster(session: Session, period: DutyPeriod, built: Built, roster: dict[str, list[str]]) -> int:
    """Replace the period's unpinned duties by this roster; each duty is put on the most specific seat it fills."""
    if period.status != "draft":
        raise RosteringError("not_draft")
    shift_ids = [shift_id for shift_id in built.shift_ids.values()]
    session.execute(delete(DutyAssignment).where(DutyAssignment.shift_id.in_(shift_ids),
                                                 DutyAssignment.pinned.is_(False)))
    pinned = set(session.execute(select(DutyAssignment.shift_id, DutyAssignment.lawyer_id)
                                 .where(DutyAssignment.shift_id.in_(shift_ids))).all())
    seats = {}
    for seat in session.scalars(select(SeatRequirement).where(SeatRequirement.shift_id.in_(shift_ids))):
        seats.setdefault(seat.shift_id, []).append(seat)
    lawyers = {l.id: l for l in session.scalars(select(Lawyer).where(Lawyer.id.in_(built.lawyer_ids.values()))
                                                .options(selectinload(Lawyer.areas), selectinload(Lawyer.languages)))}
    filled: dict[int, int] = {}
    count = 0
    for staff_id, duties in roster.items():
        lawyer_id = built.lawyer_ids[staff_id]
        for index, code in enumerate(duties):
            if not code:
                continue
            shift_id = built.shift_ids[(index, code)]
            if (shift_id, lawyer_id) in pinned:
                continue
            seat_id = _seat_for(lawyers[lawyer_id], seats.get(shift_id, []), filled)
            session.add(DutyAssignment(shift_id=shift_id, lawyer_id=lawyer_id, seat_id=seat_id))
            count += 1
    session.flush()
    return count


def _seat_for(lawyer: Lawyer, seats: list[SeatRequirement], filled: dict[int, int]) -> int | None:
    """The most specific seat this lawyer qualifies for that still has room (area or language seats first)."""
    areas, languages = set(lawyer.area_codes()), set(lawyer.language_codes())
    ranked = sorted(seats, key=lambda s: (s.legal_area is None and s.language is None, s.id))
    for seat in ranked:
        if (seat.legal_area is None or seat.legal_area in areas) and (seat.language is None or seat.language in languages):
            if filled.get(seat.id, 0) < seat.seats or (seat.legal_area is None and seat.language is None):
                filled[seat.id] = filled.get(seat.id, 0) + 1
                return seat.id
    return None


DUTY_SMS = "【12348】{name}律师，您好：{period}值班表已发布，您的值班：{duties}。如需调班请登录系统申请。"


def publish(session: Session, period: DutyPeriod, user_id: int, now: datetime,
            slot_settings: slots.SlotSettings = slots.SlotSettings()) -> int:
    """Make the roster live, open its consultation slots and text each lawyer their duties; returns how many
    lawyers were told."""
    if period.status != "draft":
        raise RosteringError("not_draft")
    duties = list(session.scalars(
        select(DutyAssignment).join(Shift).where(Shift.period_id == period.id)
        .options(selectinload(DutyAssignment.shift).selectinload(Shift.shift_type), selectinload(DutyAssignment.lawyer))
        .order_by(Shift.starts_at)
    ))
    if not duties:
        raise RosteringError("empty_roster")
    period.status = "published"
    period.published_at = now
    period.published_by_id = user_id
    by_lawyer: dict[int, list[DutyAssignment]] = {}
    for duty in duties:
        by_lawyer.setdefault(duty.lawyer_id, []).append(duty)
    for items in by_lawyer.values():
        lawyer = items[0].lawyer
        listed = "、".join(f"{d.shift.day:%m-%d}{d.shift.shift_type.name_zh}" for d in items[:12])
        if len(items) > 12:
            listed += f"等{len(items)}次"
        gateway.queue_sms(session, lawyer.phone, DUTY_SMS.format(name=lawyer.name, period=period.name, duties=listed),
                          "duty_published", now)
    session.flush()
    slots.refresh_for_period(session, period, slot_settings)
    return len(by_lawyer)


def day_index(period: DutyPeriod, now: datetime) -> int:
    """Today's index in the period (Beijing date); negative before it starts."""
    return (now.astimezone(PROVINCE_TZ).date() - period.starts_on).days


def published_roster(session: Session, period: DutyPeriod, built: Built) -> dict[str, list[str]]:
    """The period's duties as the engine's roster {lawyer: [shift code or "" per day]}."""
    roster = {staff.id: [""] * built.problem.days for staff in built.problem.staff}
    for lawyer_id, day, code in session.execute(
            select(DutyAssignment.lawyer_id, Shift.day, ShiftType.code).join(Shift, Shift.id == DutyAssignment.shift_id)
            .join(ShiftType, ShiftType.id == Shift.shift_type_id).where(Shift.period_id == period.id)):
        if str(lawyer_id) in roster:
            roster[str(lawyer_id)][(day - period.starts_on).days] = code
    return roster


CHANGE_SMS = "【12348】值班调整：{day} {before} → {after}。"


def apply_changes(session: Session, period: DutyPeriod, changes: list[dict], now: datetime,
                  slot_settings: slots.SlotSettings = slots.SlotSettings()) -> int:
    """Apply a re-plan's duty changes to the published period (and its consultation slots) and text each lawyer
    concerned."""
    if period.status != "published":
        raise RosteringError("not_published")
    shifts = {(s.day, s.shift_type.code): s for s in session.scalars(
        select(Shift).where(Shift.period_id == period.id).options(selectinload(Shift.shift_type)))}
    names = {t.code: t.name_zh for t in session.scalars(select(ShiftType))}
    for change in changes:
        day = period.starts_on + timedelta(days=change["day"])
        if change["before"]:
            duty = session.scalar(select(DutyAssignment).where(
                DutyAssignment.shift_id == shifts[(day, change["before"])].id,
                DutyAssignment.lawyer_id == change["lawyer_id"]))
            if duty is None:
                raise RosteringError("roster_changed")
            close_swaps(session, duty.id, None, now)
            session.delete(duty)
    session.flush()
    for change in changes:
        day = period.starts_on + timedelta(days=change["day"])
        if change["after"]:
            session.add(DutyAssignment(shift_id=shifts[(day, change["after"])].id, lawyer_id=change["lawyer_id"]))
        lawyer = session.get(Lawyer, change["lawyer_id"])
        text = CHANGE_SMS.format(day=f"{day:%m-%d}", before=names.get(change["before"], "休息"),
                                 after=names.get(change["after"], "休息"))
        gateway.queue_sms(session, lawyer.phone, text, "duty_changed", now)
    period.replan_needed_at = None
    session.flush()
    slots.refresh_for_period(session, period, slot_settings)
    return len(changes)


@dataclass
class SeatRow:
    """One line of a shift's seat requirements, as a coordinator sets it."""

    legal_area: str | None
    language: str | None
    city_id: int | None
    seats: int
    hard_minimum: int


def set_seats(session: Session, period: DutyPeriod, shift_code: str, day_kind: str, rows: list[SeatRow]) -> int:
    """Replace the seats of one shift type on the period's weekdays, weekends or all days; returns shifts changed."""
    if period.status != "draft":
        raise RosteringError("not_draft")
    if any(row.hard_minimum > row.seats or row.seats < 0 for row in rows):
        raise RosteringError("bad_seats")
    weights = DEFAULT_WEIGHTS | json.loads(period.weights_json or "{}")
    shifts = session.scalars(select(Shift).join(ShiftType).where(Shift.period_id == period.id, ShiftType.code == shift_code)
                             .options(selectinload(Shift.seats))).all()
    changed = 0
    for shift in shifts:
        weekend = shift.day.weekday() >= 5
        if (day_kind == "weekday" and weekend) or (day_kind == "weekend" and not weekend):
            continue
        shift.seats.clear()
        session.flush()
        for row in rows:
            general = row.legal_area is None and row.language is None
            shift.seats.append(SeatRequirement(legal_area=row.legal_area, language=row.language, city_id=row.city_id,
                                               seats=row.seats, hard_minimum=row.hard_minimum,
                                               under_weight=weights["under"], over_weight=weights["over"] if general else 0))
        changed += 1
    session.flush()
    return changed


def set_weights(session: Session, period: DutyPeriod, weights: dict[str, int]) -> None:
    """Store the period's soft-rule and fairness weights (seat weights follow on its seats)."""
    if period.status != "draft":
        raise RosteringError("not_draft")
    merged = DEFAULT_WEIGHTS | {k: int(v) for k, v in weights.items() if k in DEFAULT_WEIGHTS}
    period.weights_json = json.dumps(merged)
    for seat in session.scalars(select(SeatRequirement).join(Shift).where(Shift.period_id == period.id)):
        seat.under_weight = merged["under"]
        if seat.legal_area is None and seat.language is None:
            seat.over_weight = merged["over"]
    session.flush()
