"""Counsel requests and consultations: request, book without double booking, reschedule, cancel, outcome, rating.

No lawyer is ever booked twice: the slot row is locked (FOR UPDATE on PostgreSQL; SQLite's immediate transaction
holds the whole database) while it is checked and booked, and the database itself refuses a second live booking
of a slot, of a request, or (PostgreSQL's exclusion constraint) of a lawyer's overlapping time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import (
    Booking, ConsultationSlot, CounselAssignment, CounselRequest, Lawyer, FollowUp, KeyProject, LawyerArea, RequestWindow, ServiceRecord, User,
    project_liaisons,
)
from hotline.models.types import PROVINCE_TZ
from hotline.services import servicelog, slots
from hotline.telephony import gateway
from scheduling.booking import PRIORITY_BY_URGENCY

# Bookings cannot be moved or cancelled this close to their start: the lawyer has prepared and set the time aside.
CHANGE_CUTOFF = timedelta(hours=2)
# Batch allocation weighs requests by urgency.
URGENCY_PRIORITY = PRIORITY_BY_URGENCY
CLOSED_REQUEST = ("booked", "completed", "cancelled")

BOOKED_SMS = "【12348】{who}：{when}{mode}咨询已预约（{project}）。"
CANCELLED_SMS = "【12348】{when}的{mode}咨询已取消（{project}）：{reason}"
MODE_ZH = {"video": "视频", "phone": "电话"}


class ConsultError(Exception):
    """A refused consultation action; code names the reason for the view's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RequestData:
    """A liaison's counsel request as entered."""

    project_id: int
    legal_area: str
    urgency: str
    mode: str
    description: str
    windows: list[tuple[datetime, datetime]]


def liaison_projects(session: Session, user_id: int) -> list[KeyProject]:
    """The projects this liaison speaks for."""
    return list(session.scalars(select(KeyProject).join(project_liaisons, project_liaisons.c.project_id == KeyProject.id)
                                .where(project_liaisons.c.user_id == user_id).order_by(KeyProject.name)))


def counsel_of(session: Session, project_ids: list[int]) -> dict[int, list[tuple[str, Lawyer]]]:
    """Each project's current counsel as (role, lawyer), primary first, in one query."""
    found: dict[int, list[tuple[str, Lawyer]]] = {project_id: [] for project_id in project_ids}
    if project_ids:
        for project_id, role, lawyer in session.execute(
                select(CounselAssignment.project_id, CounselAssignment.role, Lawyer)
                .join(Lawyer, Lawyer.id == CounselAssignment.lawyer_id)
                .where(CounselAssignment.project_id.in_(project_ids), CounselAssignment.ended_at.is_(None))
                .order_by(CounselAssignment.project_id, CounselAssignment.role.desc())):
            found[project_id].append((role, lawyer))
    return found


def is_liaison_of(session: Session, user_id: int, project_id: int) -> bool:
    """True when the user is a liaison of the project."""
    return session.execute(select(project_liaisons.c.user_id).where(
        project_liaisons.c.user_id == user_id, project_liaisons.c.project_id == project_id)).first() is not None


# A lawyer sees a request (its description, files and consultation pages) while booked for it, and keeps it once the
# consultation took place or the liaison did not come; a cancelled or moved booking leaves nothing behind.
LAWYER_KEEPS_REQUEST = ("booked", "completed", "no_show")


def lawyer_may_see_request(session: Session, lawyer_id: int | None, request_id: int) -> bool:
    """True while the lawyer holds a live booking for the request, or held one that was completed or a no-show."""
    if lawyer_id is None:
        return False
    return session.scalar(select(Booking.id).where(
        Booking.request_id == request_id, Booking.lawyer_id == lawyer_id,
        Booking.status.in_(LAWYER_KEEPS_REQUEST)).limit(1)) is not None


def lawyer_may_see_booking(session: Session, lawyer_id: int | None, booking: Booking) -> bool:
    """True when the booking is the lawyer's and the lawyer may still see its request."""
    return booking.lawyer_id == lawyer_id and lawyer_may_see_request(session, lawyer_id, booking.request_id)


def lawyer_may_see_project(session: Session, lawyer_id: int | None, project_id: int) -> bool:
    """True for the project's current counsel, and for a lawyer who may see one of its requests."""
    if lawyer_id is None:
        return False
    if lawyer_id in slots.own_counsel(session, project_id):
        return True
    return session.scalar(select(Booking.id).join(CounselRequest, CounselRequest.id == Booking.request_id).where(
        CounselRequest.project_id == project_id, Booking.lawyer_id == lawyer_id,
        Booking.status.in_(LAWYER_KEEPS_REQUEST)).limit(1)) is not None


def create_request(session: Session, liaison_id: int, data: RequestData, now: datetime) -> CounselRequest:
    """A pending counsel request with its windows (flushed)."""
    if not is_liaison_of(session, liaison_id, data.project_id):
        raise ConsultError("not_your_project")
    if not data.windows:
        raise ConsultError("no_window")
    for start, end in data.windows:
        if end <= start:
            raise ConsultError("window_order")
        if end <= now:
            raise ConsultError("window_past")
    request = CounselRequest(project_id=data.project_id, liaison_id=liaison_id, legal_area=data.legal_area,
                             urgency=data.urgency, mode=data.mode, description=data.description, status="pending",
                             created_at=now)
    request.windows = [RequestWindow(starts_at=start, ends_at=end) for start, end in sorted(data.windows)]
    session.add(request)
    session.flush()
    return request


def live_booking(session: Session, request_id: int) -> Booking | None:
    """The request's booked (not cancelled or completed) consultation, if any."""
    return session.scalar(select(Booking).where(Booking.request_id == request_id, Booking.status == "booked"))


def _lock_slot(session: Session, slot_id: int) -> ConsultationSlot | None:
    query = select(ConsultationSlot).where(ConsultationSlot.id == slot_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _check_slot(session: Session, request: CounselRequest, slot: ConsultationSlot | None, now: datetime) -> None:
    """Refuse a slot that is not free, not suitable for the request, or beyond the lawyer's limits."""
    if slot is None:
        raise ConsultError("no_slot")
    if slot.status != "open" or slots.live_overlap(session, slot.lawyer_id, slot.starts_at, slot.ends_at):
        raise ConsultError("taken")
    if slot.starts_at < now + slots.BOOKING_LEAD:
        raise ConsultError("too_soon")
    if slot.mode != request.mode:
        raise ConsultError("wrong_mode")
    lawyer = slot.lawyer
    practises = session.scalar(select(LawyerArea.lawyer_id).where(LawyerArea.lawyer_id == lawyer.id,
                                                                 LawyerArea.area == request.legal_area))
    if not lawyer.active or practises is None:
        raise ConsultError("unsuitable")
    if lawyer.id in slots.conflicted_lawyers(session, request.project):
        raise ConsultError("conflict")
    if not slots.within_windows(request.windows, slot.starts_at, slot.ends_at):
        raise ConsultError("outside_windows")
    if slots.unavailable(session, lawyer.id, slot.starts_at, slot.ends_at):
        raise ConsultError("unavailable")
    day = slots.local_day(slot.starts_at)
    counts = slots.booked_per_day(session, [lawyer.id], slot.starts_at - timedelta(days=1),
                                  slot.starts_at + timedelta(days=1))
    if counts.get((lawyer.id, day), 0) >= lawyer.max_consultations_per_day:
        raise ConsultError("daily_cap")


def when(moment: datetime) -> str:
    """A moment as the SMS texts write it: Beijing month-day hour:minute."""
    return moment.astimezone(PROVINCE_TZ).strftime("%m-%d %H:%M")


def book(session: Session, request: CounselRequest, slot_id: int, now: datetime, notify: bool = True) -> Booking:
    """Book the slot for the request; raises ConsultError("taken") when someone else got it first.

    On an IntegrityError (a concurrent booking the database refused) the caller must roll back.
    """
    if request.status in CLOSED_REQUEST:
        raise ConsultError("request_closed")
    slot = _lock_slot(session, slot_id)
    _check_slot(session, request, slot, now)
    booking = Booking(request_id=request.id, slot_id=slot.id, lawyer_id=slot.lawyer_id, mode=slot.mode,
                      starts_at=slot.starts_at, ends_at=slot.ends_at, status="booked", created_at=now)
    session.add(booking)
    slot.status = "booked"
    request.status = "booked"
    try:
        session.flush()
    except IntegrityError as error:
        raise ConsultError("taken") from error
    if notify:
        _tell_both(session, booking, request, BOOKED_SMS, now)
    return booking


def _tell_both(session: Session, booking: Booking, request: CounselRequest, template: str, now: datetime,
               reason: str = "") -> None:
    """Text the lawyer and the liaison about the booking."""
    liaison = session.get(User, request.liaison_id)
    values = {"when": when(booking.starts_at), "mode": MODE_ZH[booking.mode], "project": request.project.name,
              "reason": reason}
    gateway.queue_sms(session, booking.lawyer.phone, template.format(who=booking.lawyer.name, **values),
                      "consult_booking", now)
    if liaison is not None and liaison.phone:
        gateway.queue_sms(session, liaison.phone, template.format(who=liaison.name, **values), "consult_booking", now)


def _check_change(booking: Booking, now: datetime) -> None:
    if booking.status != "booked":
        raise ConsultError("not_booked")
    if booking.starts_at - now < CHANGE_CUTOFF:
        raise ConsultError("too_late")


def _release(session: Session, booking: Booking, now: datetime, reason: str) -> None:
    booking.status = "cancelled"
    booking.cancelled_at = now
    booking.cancel_reason = reason[:400]
    slot = session.get(ConsultationSlot, booking.slot_id)
    if slot is not None and slot.status == "booked":
        slot.status = "open"
    session.flush()


def cancel(session: Session, booking: Booking, now: datetime, reason: str) -> None:
    """Cancel a booking (refused within two hours of its start); the request waits for a new booking."""
    _check_change(booking, now)
    _release(session, booking, now, reason)
    booking.request.status = "pending"
    session.flush()
    _tell_both(session, booking, booking.request, CANCELLED_SMS, now, reason or "—")


ABSENT_REASON = "lawyer_absent"  # a code: pages show it in the reader's language


def release_for_absence(session: Session, booking: Booking, now: datetime) -> None:
    """The lawyer's approved absence cancels the consultation whatever its start (the two-hour cut-off protects the
    lawyer's preparation, which the absence has ended); the request waits for a new booking."""
    if booking.status != "booked":
        raise ConsultError("not_booked")
    _release(session, booking, now, ABSENT_REASON)
    slot = session.get(ConsultationSlot, booking.slot_id)
    if slot is not None and slot.status == "open":
        slot.status = "withdrawn"  # the absent lawyer cannot take it again
    booking.request.status = "pending"
    session.flush()


def reschedule(session: Session, booking: Booking, slot_id: int, now: datetime) -> Booking:
    """Move the consultation to another slot: the old booking is cancelled and the new one made, or neither."""
    _check_change(booking, now)
    if slot_id == booking.slot_id:
        raise ConsultError("same_slot")
    request = booking.request
    _release(session, booking, now, "rescheduled")
    request.status = "pending"
    return book(session, request, slot_id, now)


def withdraw(session: Session, request: CounselRequest) -> None:
    """The liaison no longer needs counsel: a request without a live booking is cancelled."""
    if request.status in CLOSED_REQUEST:
        raise ConsultError("request_closed")
    request.status = "cancelled"
    session.flush()


OUTCOMES = ("completed", "no_show")


def record_outcome(session: Session, booking: Booking, status: str, outcome: str, now: datetime) -> ServiceRecord | None:
    """The lawyer's record of the consultation: completed ones are written to the service log."""
    if status not in OUTCOMES:
        raise ConsultError("bad_outcome")
    if booking.status != "booked":
        raise ConsultError("not_booked")
    if booking.starts_at > now:
        raise ConsultError("not_started")
    request = booking.request
    booking.status = status
    booking.outcome = outcome
    booking.outcome_recorded_at = now
    request.status = "completed" if status == "completed" else "pending"
    session.flush()
    if status != "completed":
        return None
    liaison = session.get(User, request.liaison_id)
    return servicelog.append(session, servicelog.ServiceEntry(
        kind=f"{booking.mode}_consult", started_at=booking.starts_at, ended_at=min(now, booking.ends_at),
        provider_lawyer_id=booking.lawyer_id, recipient_name=liaison.name if liaison else "",
        recipient_phone=liaison.phone if liaison else None, booking_id=booking.id, project_id=request.project_id,
        city_id=request.project.city_id, legal_area=request.legal_area, channel="web", outcome=outcome,
    ), now)


def rate(session: Session, booking: Booking, score: int, note: str, now: datetime) -> FollowUp:
    """The liaison's rating (1-5) of a completed consultation, kept as the answered follow-up of its record."""
    if not 1 <= score <= 5:
        raise ConsultError("bad_score")
    record = session.scalar(select(ServiceRecord).where(ServiceRecord.booking_id == booking.id))
    if booking.status != "completed" or record is None:
        raise ConsultError("not_completed")
    follow_up = session.scalar(select(FollowUp).where(FollowUp.service_record_id == record.id))
    if follow_up is None:
        follow_up = FollowUp(service_record_id=record.id, recipient_phone=record.recipient_phone, due_at=now)
        session.add(follow_up)
    follow_up.status = "answered"
    follow_up.answered_at = now
    follow_up.score = score
    follow_up.note = note[:1000]
    session.flush()
    return follow_up


def rating_of(session: Session, booking_id: int) -> int | None:
    """The liaison's score for a consultation, if given."""
    return session.scalar(select(FollowUp.score).join(ServiceRecord, ServiceRecord.id == FollowUp.service_record_id)
                          .where(ServiceRecord.booking_id == booking_id, FollowUp.status == "answered"))
