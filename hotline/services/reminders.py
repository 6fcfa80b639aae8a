"""Consultation reminders: a text to the lawyer and the liaison 24 hours and 1 hour before, never for a
cancelled booking, each sent once even with several sweepers running."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Booking, CounselRequest, User
from hotline.models.types import PROVINCE_TZ
from hotline.telephony import gateway

DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)
REMINDER_SMS = "【12348】提醒：{when}您有{mode}法律咨询（{project}），{other}。"
MODE_ZH = {"video": "视频", "phone": "电话"}


def _text(booking: Booking, liaison: User | None, to_lawyer: bool) -> str:
    other = f"联络人{liaison.name}" if to_lawyer and liaison else f"律师{booking.lawyer.name}"
    return REMINDER_SMS.format(when=booking.starts_at.astimezone(PROVINCE_TZ).strftime("%m-%d %H:%M"),
                               mode=MODE_ZH[booking.mode], project=booking.request.project.name, other=other)


def send_due(session: Session, now: datetime, limit: int = 200) -> int:
    """Queue the reminders whose time has come; returns how many bookings were reminded.

    The day-before reminder is skipped for a booking made within the last day (its confirmation came recently);
    the hour-before one is sent until the consultation starts. Rows are claimed with FOR UPDATE SKIP LOCKED on
    PostgreSQL; SQLite's immediate transaction serialises sweepers.
    """
    query = (
        select(Booking).where(
            Booking.status == "booked", Booking.starts_at > now,
            or_((Booking.reminder_24h_sent_at.is_(None) & (Booking.starts_at <= now + DAY_BEFORE)
                 & (Booking.starts_at > now + HOUR_BEFORE)),
                (Booking.reminder_1h_sent_at.is_(None) & (Booking.starts_at <= now + HOUR_BEFORE))))
        .options(selectinload(Booking.lawyer), selectinload(Booking.request).selectinload(CounselRequest.project))
        .order_by(Booking.starts_at).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Booking)
    reminded = 0
    for booking in session.scalars(query):
        hour = booking.starts_at <= now + HOUR_BEFORE
        if hour:
            booking.reminder_1h_sent_at = now
            booking.reminder_24h_sent_at = booking.reminder_24h_sent_at or now
        else:
            if booking.created_at > now - timedelta(hours=12):
                booking.reminder_24h_sent_at = now  # just booked: the confirmation is reminder enough
                continue
            booking.reminder_24h_sent_at = now
        liaison = session.get(User, booking.request.liaison_id)
        purpose = "consult_reminder_1h" if hour else "consult_reminder_24h"
        gateway.queue_sms(session, booking.lawyer.phone, _text(booking, liaison, True), purpose, now)
        if liaison is not None and liaison.phone:
            gateway.queue_sms(session, liaison.phone, _text(booking, liaison, False), purpose, now)
        reminded += 1
    session.flush()
    return reminded
