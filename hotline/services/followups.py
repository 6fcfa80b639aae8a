"""Follow-ups after each completed service: an SMS survey an hour later, the recipient's 1-5 reply, and a call
from an operator when nobody answered.

A follow-up is pending until its survey is queued (sent), then answered by SMS or by the operator's call
(called_back), or expired when no survey can or should go out any more.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from hotline.models import Contact, ContactEvent, FollowUp, Lawyer, ServiceRecord, User
from hotline.models.contact import work_order_number
from hotline.models.types import PROVINCE_TZ
from hotline.telephony import gateway

SURVEY_DELAY = timedelta(hours=1)
# A survey about a service more than a week old is not sent, and a reply is read only within a week of the survey.
WINDOW = timedelta(days=7)
# An operator calls when the survey has gone unanswered this long.
CALL_AFTER = timedelta(hours=48)
# After a call nobody answered, the follow-up comes back to the operators' list this much later.
RETRY_AFTER = timedelta(days=1)
SURVEY_SMS = "【12348】感谢您使用12348法律服务。请回复1-5为本次服务评分（5为非常满意）。"
OPEN = ("pending", "sent")
CALL_OUTCOMES = ("reached", "declined", "no_answer")
# Full-width digits, as Chinese phone keyboards often type them.
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class FollowUpError(Exception):
    """An operator's call record that cannot be accepted; the message is a key the view translates."""


@dataclass(frozen=True)
class OpenFollowUp:
    """One unanswered follow-up as the operators' list shows it."""

    follow_up: FollowUp
    kind: str
    started_at: datetime
    contact_id: int | None
    provider: str
    reference: str = ""  # the work order's number, when the service came from a contact


def open_for(session: Session, records: Iterable[ServiceRecord]) -> list[FollowUp]:
    """Create the pending follow-up of each new record that has a recipient's phone and none yet (flushed)."""
    records = [record for record in records if record.recipient_phone]
    if not records:
        return []
    existing = set(session.scalars(select(FollowUp.service_record_id)
                                   .where(FollowUp.service_record_id.in_([record.id for record in records]))))
    created = [
        FollowUp(service_record_id=record.id, recipient_phone=record.recipient_phone, status="pending",
                 due_at=(record.ended_at or record.started_at) + SURVEY_DELAY)
        for record in records if record.id not in existing
    ]
    session.add_all(created)
    session.flush()
    return created


def send_due(session: Session, now: datetime, limit: int = 200) -> int:
    """Queue the SMS survey of each pending follow-up that is due; returns how many were queued.

    A follow-up without a number, or due more than a week ago (a late-recorded or back-filled service), is
    expired instead: nothing can be sent, or the survey would come too late to mean anything. Rows are claimed
    with FOR UPDATE SKIP LOCKED on PostgreSQL, so several sweepers never text anyone twice; SQLite's
    immediate transaction serialises them.
    """
    query = (
        select(FollowUp).where(FollowUp.status == "pending", FollowUp.due_at <= now)
        .order_by(FollowUp.due_at, FollowUp.id).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    queued = 0
    for follow_up in session.scalars(query):
        if not follow_up.recipient_phone or follow_up.due_at < now - WINDOW:
            follow_up.status = "expired"
            continue
        gateway.queue_sms(session, follow_up.recipient_phone, SURVEY_SMS, "follow_up", now)
        follow_up.status = "sent"
        follow_up.sent_at = now
        queued += 1
    session.flush()
    return queued


def parse_score(body: str) -> int | None:
    """The score in a survey reply: one digit 1-5, half- or full-width, spaces around allowed; else None."""
    text = body.translate(_DIGITS).strip()
    return int(text) if len(text) == 1 and text in "12345" else None


def answer(session: Session, phone: str, score: int, now: datetime) -> FollowUp | None:
    """Record a reply on the newest survey sent to this number (E.164) in the last week; None when there is none."""
    query = (
        select(FollowUp).where(FollowUp.recipient_phone == phone, FollowUp.status == "sent",
                               FollowUp.sent_at >= now - WINDOW)
        .order_by(FollowUp.sent_at.desc(), FollowUp.id.desc()).limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    follow_up = session.scalar(query)
    if follow_up is None:
        return None
    follow_up.status = "answered"
    follow_up.score = score
    follow_up.answered_at = now
    session.flush()
    return follow_up


def unanswered(now: datetime, kind: str | None = None, survey: str | None = None, city_id: int | None = None) -> Select:
    """Follow-ups for an operator to call, the most recently due first (today's callers still remember the service).

    A survey unanswered for 48 hours, or one still pending after its time (the sweeper did not send it); a
    follow-up whose last call went unanswered waits until its retry time (due_at). Optionally only one kind of
    service, or only surveys that were sent ("sent") or never sent ("not_sent").
    """
    sent = and_(FollowUp.status == "sent", FollowUp.sent_at <= now - CALL_AFTER, FollowUp.due_at <= now)
    pending = and_(FollowUp.status == "pending", FollowUp.due_at <= now)
    query = select(FollowUp).where({"sent": sent, "not_sent": pending}.get(survey, or_(sent, pending)))
    if kind is not None:
        query = query.where(FollowUp.service_record_id.in_(select(ServiceRecord.id).where(ServiceRecord.kind == kind)))
    if city_id is not None:
        query = query.where(FollowUp.service_record_id.in_(select(ServiceRecord.id).where(
            ServiceRecord.city_id == city_id)))
    return query.order_by(FollowUp.due_at.desc(), FollowUp.id.desc())


def describe(session: Session, follow_ups: list[FollowUp]) -> list[OpenFollowUp]:
    """The service behind each follow-up and who provided it (a lawyer, else the operator)."""
    ids = [follow_up.service_record_id for follow_up in follow_ups]
    rows = session.execute(
        select(ServiceRecord.id, ServiceRecord.kind, ServiceRecord.started_at, ServiceRecord.contact_id,
               Lawyer.name.label("lawyer"), User.name.label("user"), Contact.received_at.label("contact_received_at"))
        .outerjoin(Contact, Contact.id == ServiceRecord.contact_id)
        .outerjoin(Lawyer, Lawyer.id == ServiceRecord.provider_lawyer_id)
        .outerjoin(User, User.id == ServiceRecord.provider_user_id)
        .where(ServiceRecord.id.in_(ids))
    ).all() if ids else []
    records = {row.id: row for row in rows}
    result = []
    for follow_up in follow_ups:
        row = records[follow_up.service_record_id]
        reference = work_order_number(row.contact_id, row.contact_received_at) if row.contact_id else ""
        result.append(OpenFollowUp(follow_up, row.kind, row.started_at, row.contact_id, row.lawyer or row.user or "",
                                   reference))
    return result


def record_call(session: Session, follow_up: FollowUp, outcome: str, score: int | None, note: str, user: User,
                now: datetime) -> None:
    """An operator's call: reached (with a score) or declined closes it as called back; no answer retries a day later.

    Each call adds a dated line to the note and, when the service came from a contact, to its history.
    """
    if follow_up.status not in OPEN:
        raise FollowUpError("closed")
    if outcome not in CALL_OUTCOMES:
        raise FollowUpError("bad_outcome")
    if outcome == "reached" and (score is None or not 1 <= score <= 5):
        raise FollowUpError("score_required")
    line = f"{now.astimezone(PROVINCE_TZ):%Y-%m-%d %H:%M} {user.name} [{outcome}] {note.strip()}".strip()
    follow_up.note = f"{follow_up.note}\n{line}" if follow_up.note else line
    if outcome == "no_answer":
        follow_up.due_at = now + RETRY_AFTER
    else:
        follow_up.status = "called_back"
        follow_up.score = score if outcome == "reached" else None
        follow_up.answered_at = now
    contact_id = session.scalar(select(ServiceRecord.contact_id).where(ServiceRecord.id == follow_up.service_record_id))
    if contact_id is not None:
        session.add(ContactEvent(contact_id=contact_id, at=now, user_id=user.id, kind="follow_up_call",
                                 detail=f"[{outcome}] {score or ''} {note.strip()}".strip()[:2000]))
    session.flush()
