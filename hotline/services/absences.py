"""Approved absences and days off take effect at once.

The lawyer's duties inside the time leave the roster (so the router, "My duties" and the calendar feed stop
counting on them), pending swaps of those duties are closed, each live consultation in the time is cancelled and
its liaison is offered other slots by SMS, and every published period that lost a duty waits, visibly, for a
re-plan that fills the empty seats with as few changes as possible.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Booking, CounselRequest, DutyAssignment, DutyPeriod, Lawyer, Shift, ShiftType, User
from hotline.models.types import PROVINCE_TZ
from hotline.services import consult, rostering, slots
from hotline.telephony import gateway

# Offered to a liaison whose consultation the absence cancelled: this many other slots, best first.
OFFERS = 3
DUTIES_SMS = "【12348】{name}律师：您的请假已批准，以下值班已取消：{duties}。"
MOVED_SMS = "【12348】{when}的{mode}咨询因律师请假已取消（{project}）。可改约：{offers}。请登录系统选择时段。"
NO_OFFER_SMS = "【12348】{when}的{mode}咨询因律师请假已取消（{project}）。暂无其他可约时段，协调员将尽快为您安排。"


@dataclass
class Impact:
    """What an absence touches: the lawyer's duties and live consultations inside it that have not ended."""

    duties: list[DutyAssignment]
    bookings: list[Booking]

    def __bool__(self) -> bool:
        return bool(self.duties or self.bookings)


@dataclass
class Moved:
    """A consultation the absence cancelled, and the slots offered to its liaison instead."""

    booking: Booking
    offers: list[slots.Offer]


@dataclass
class Effect:
    """What approving did: duties taken off, periods now waiting for a re-plan, consultations cancelled."""

    removed: list[tuple[date, ShiftType, str]] = field(default_factory=list)  # (day, shift type, period name)
    periods: list[DutyPeriod] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.removed or self.moved)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A Beijing calendar day as a time range."""
    start = datetime(day.year, day.month, day.day, tzinfo=PROVINCE_TZ)
    return start, start + timedelta(days=1)


def impact(session: Session, lawyer_id: int, starts_at: datetime, ends_at: datetime, now: datetime) -> Impact:
    """The lawyer's duties (draft or published) and live consultations overlapping the time and not yet over."""
    duties = list(session.scalars(
        select(DutyAssignment).join(Shift).join(DutyPeriod).where(
            DutyAssignment.lawyer_id == lawyer_id, DutyPeriod.status.in_(("draft", "published")),
            Shift.starts_at < ends_at, Shift.ends_at > starts_at, Shift.ends_at > now)
        .options(selectinload(DutyAssignment.shift).selectinload(Shift.shift_type),
                 selectinload(DutyAssignment.shift).selectinload(Shift.period))
        .order_by(Shift.starts_at)))
    bookings = list(session.scalars(
        select(Booking).where(Booking.lawyer_id == lawyer_id, Booking.status == "booked",
                              Booking.starts_at < ends_at, Booking.ends_at > starts_at, Booking.starts_at > now)
        .options(selectinload(Booking.request).selectinload(CounselRequest.project)).order_by(Booking.starts_at)))
    return Impact(duties, bookings)


def take_effect(session: Session, lawyer: Lawyer, starts_at: datetime, ends_at: datetime, user_id: int,
                now: datetime, slot_settings: slots.SlotSettings = slots.SlotSettings()) -> Effect:
    """Apply an approved absence (or day off) of the lawyer over the time; see the module's description."""
    found = impact(session, lawyer.id, starts_at, ends_at, now)
    effect = Effect()
    touched: dict[int, DutyPeriod] = {}
    for duty in found.duties:
        rostering.close_swaps(session, duty.id, user_id, now)
        period = duty.shift.period
        effect.removed.append((duty.shift.day, duty.shift.shift_type, period.name))
        touched[period.id] = period
        session.delete(duty)
    session.flush()
    for period in touched.values():
        if period.status == "published":
            period.replan_needed_at = period.replan_needed_at or now
            slots.refresh_for_period(session, period, slot_settings)
            effect.periods.append(period)
    if effect.removed:
        listed = "、".join(f"{day:%m-%d}{kind.name_zh}" for day, kind, _period in effect.removed[:12])
        if len(effect.removed) > 12:
            listed += f"等{len(effect.removed)}次"
        gateway.queue_sms(session, lawyer.phone, DUTIES_SMS.format(name=lawyer.name, duties=listed), "duty_changed", now)
    for booking in found.bookings:
        effect.moved.append(_move(session, booking, lawyer, now))
    session.flush()
    return effect


def _move(session: Session, booking: Booking, lawyer: Lawyer, now: datetime) -> Moved:
    """Cancel a consultation the absence makes impossible and offer the liaison other slots by SMS."""
    consult.release_for_absence(session, booking, now)
    request = booking.request
    offers = [offer for offer in slots.offers(session, request, now) if offer.slot.lawyer_id != lawyer.id][:OFFERS]
    liaison = session.get(User, request.liaison_id)
    if liaison is not None and liaison.phone:
        values = {"when": consult.when(booking.starts_at), "mode": consult.MODE_ZH[booking.mode],
                  "project": request.project.name}
        if offers:
            listed = "；".join(f"{consult.when(o.slot.starts_at)} {o.slot.lawyer.name}律师" for o in offers)
            text = MOVED_SMS.format(offers=listed, **values)
        else:
            text = NO_OFFER_SMS.format(**values)
        gateway.queue_sms(session, liaison.phone, text, "consult_booking", now)
    return Moved(booking, offers)
