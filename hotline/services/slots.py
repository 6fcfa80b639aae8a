"""Consultation slots: cut from the published roster's video and phone blocks, and found for a counsel request."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import (
    Booking, Conflict, ConsultationSlot, CounselAssignment, CounselRequest, DutyAssignment, DutyPeriod, KeyProject,
    Lawyer, LawyerArea, Shift, ShiftType, Unavailability,
)
from hotline.models.types import PROVINCE_TZ

CONSULT_KINDS = ("video", "phone")
# Slots starting sooner than this are not offered: the lawyer needs time to read the request.
BOOKING_LEAD = timedelta(minutes=30)


@dataclass(frozen=True)
class SlotSettings:
    """How a consultation block is cut: slot length and the buffer after each slot, in minutes."""

    minutes: int = 30
    buffer: int = 10

    @classmethod
    def from_config(cls, config) -> "SlotSettings":
        """The settings of this app (CONSULT_SLOT_MINUTES, CONSULT_BUFFER_MINUTES)."""
        return cls(int(config.get("CONSULT_SLOT_MINUTES", 30)), int(config.get("CONSULT_BUFFER_MINUTES", 10)))


def cut(starts_at: datetime, ends_at: datetime, settings: SlotSettings) -> list[tuple[datetime, datetime]]:
    """The slots of one block: back to back with a buffer between, the last ending by the block's end."""
    slots, start = [], starts_at
    length, step = timedelta(minutes=settings.minutes), timedelta(minutes=settings.minutes + settings.buffer)
    while start + length <= ends_at:
        slots.append((start, start + length))
        start += step
    return slots


def refresh_for_period(session: Session, period: DutyPeriod, settings: SlotSettings) -> tuple[int, int]:
    """Make the period's open slots match its published consultation duties; returns (added, withdrawn).

    Idempotent: run after publishing, re-planning or an approved swap. Open slots whose duty has gone are
    withdrawn; booked ones stay (the booking is the lawyer's commitment until cancelled).
    """
    wanted: dict[tuple[int, datetime], tuple[int, str, datetime]] = {}
    if period.status == "published":
        rows = session.execute(
            select(DutyAssignment.lawyer_id, Shift.id, Shift.starts_at, Shift.ends_at, ShiftType.kind)
            .join(Shift, Shift.id == DutyAssignment.shift_id).join(ShiftType, ShiftType.id == Shift.shift_type_id)
            .where(Shift.period_id == period.id, ShiftType.kind.in_(CONSULT_KINDS)))
        for lawyer_id, shift_id, starts_at, ends_at, kind in rows:
            for start, end in cut(starts_at, ends_at, settings):
                wanted[(lawyer_id, start)] = (shift_id, kind, end)
    existing = {(slot.lawyer_id, slot.starts_at): slot for slot in session.scalars(
        select(ConsultationSlot).join(Shift, Shift.id == ConsultationSlot.shift_id).where(Shift.period_id == period.id))}
    added = withdrawn = 0
    for (lawyer_id, start), (shift_id, kind, end) in sorted(wanted.items(), key=lambda item: item[0][1]):
        slot = existing.get((lawyer_id, start))
        if slot is None:
            session.add(ConsultationSlot(lawyer_id=lawyer_id, shift_id=shift_id, mode=kind, starts_at=start, ends_at=end,
                                         status="open"))
            added += 1
        elif slot.status == "withdrawn":
            slot.status = "open"
            added += 1
    for key, slot in existing.items():
        if key not in wanted and slot.status == "open":
            slot.status = "withdrawn"
            withdrawn += 1
    session.flush()
    return added, withdrawn


def own_counsel(session: Session, project_id: int) -> dict[int, str]:
    """The project's current counsel: lawyer id -> role (primary, backup)."""
    return dict(session.execute(select(CounselAssignment.lawyer_id, CounselAssignment.role).where(
        CounselAssignment.project_id == project_id, CounselAssignment.ended_at.is_(None))).all())


def conflicted_lawyers(session: Session, project: KeyProject) -> set[int]:
    """Lawyers who must not counsel this project: a conflict with it, or with the firm involved in it."""
    condition = Conflict.project_id == project.id
    if project.involved_firm_id is not None:
        condition = or_(condition, Conflict.firm_id == project.involved_firm_id)
    return set(session.scalars(select(Conflict.lawyer_id).where(condition)))


def local_day(moment: datetime) -> date:
    """The province's calendar day of a moment (daily caps count by it)."""
    return moment.astimezone(PROVINCE_TZ).date()


def booked_per_day(session: Session, lawyer_ids, first: datetime, last: datetime) -> dict[tuple[int, date], int]:
    """Live bookings per (lawyer, local day) between two moments."""
    counts: dict[tuple[int, date], int] = {}
    for lawyer_id, starts_at in session.execute(select(Booking.lawyer_id, Booking.starts_at).where(
            Booking.status == "booked", Booking.lawyer_id.in_(list(lawyer_ids)), Booking.starts_at >= first,
            Booking.starts_at < last)):
        key = (lawyer_id, local_day(starts_at))
        counts[key] = counts.get(key, 0) + 1
    return counts


def absence_overlapping(lawyer_id, starts_at, ends_at):
    """SQL condition: an approved absence of the lawyer overlaps the time (values, or a slot's columns)."""
    return exists().where(Unavailability.lawyer_id == lawyer_id, Unavailability.status == "approved",
                          Unavailability.starts_at < ends_at, Unavailability.ends_at > starts_at)


def free_slots_query(now: datetime):
    """Open slots of active lawyers, far enough ahead, not cut by an absence."""
    return (
        select(ConsultationSlot).join(Lawyer, Lawyer.id == ConsultationSlot.lawyer_id)
        .where(ConsultationSlot.status == "open", ConsultationSlot.starts_at >= now + BOOKING_LEAD,
               Lawyer.active.is_(True),
               ~absence_overlapping(ConsultationSlot.lawyer_id, ConsultationSlot.starts_at, ConsultationSlot.ends_at))
    )


def open_slots_query(area: str, mode: str, now: datetime):
    """Free slots in the mode, of lawyers practising the area."""
    practises = exists().where(LawyerArea.lawyer_id == ConsultationSlot.lawyer_id, LawyerArea.area == area)
    return free_slots_query(now).where(ConsultationSlot.mode == mode, practises)


def within_windows(windows, starts_at: datetime, ends_at: datetime) -> bool:
    """True when the slot lies wholly inside one of the request's windows."""
    return any(w.starts_at <= starts_at and ends_at <= w.ends_at for w in windows)


@dataclass(frozen=True)
class Offer:
    """A slot offered for a request, and whether its lawyer is the project's own counsel."""

    slot: ConsultationSlot
    role: str | None  # "primary", "backup" or None


def offers(session: Session, request: CounselRequest, now: datetime, limit: int = 60) -> list[Offer]:
    """Slots a liaison may book for the request: suitable lawyers inside its windows, own counsel first, then by
    time; lawyers at their daily cap or with a conflict are left out."""
    windows = list(request.windows)
    if not windows:
        return []
    in_windows = or_(*(and_(ConsultationSlot.starts_at >= w.starts_at, ConsultationSlot.ends_at <= w.ends_at)
                       for w in windows))
    slots = list(session.scalars(
        open_slots_query(request.legal_area, request.mode, now).where(in_windows)
        .options(selectinload(ConsultationSlot.lawyer)).order_by(ConsultationSlot.starts_at, ConsultationSlot.id)
        .limit(2000)))
    excluded = conflicted_lawyers(session, request.project)
    roles = own_counsel(session, request.project_id)
    lawyer_ids = {slot.lawyer_id for slot in slots}
    counts = booked_per_day(session, lawyer_ids, min(w.starts_at for w in windows) - timedelta(days=1),
                            max(w.ends_at for w in windows) + timedelta(days=1)) if slots else {}
    found = [Offer(slot, roles.get(slot.lawyer_id)) for slot in slots
             if slot.lawyer_id not in excluded
             and counts.get((slot.lawyer_id, local_day(slot.starts_at)), 0) < slot.lawyer.max_consultations_per_day]
    rank = {"primary": 0, "backup": 1}
    found.sort(key=lambda offer: (rank.get(offer.role or "", 2), offer.slot.starts_at, offer.slot.id))
    return found[:limit]


def live_overlap(session: Session, lawyer_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    """True when the lawyer already has a live booking overlapping this time."""
    return session.scalar(select(func.count(Booking.id)).where(
        Booking.lawyer_id == lawyer_id, Booking.status == "booked", Booking.starts_at < ends_at,
        Booking.ends_at > starts_at)) > 0


def unavailable(session: Session, lawyer_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    """True when an approved absence of the lawyer overlaps this time."""
    return bool(session.scalar(select(absence_overlapping(lawyer_id, starts_at, ends_at))))
