"""Messages that arrive by SMS: a survey reply answers its follow-up; anything else is kept with the sender's
latest contact, or as a new SMS contact."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Contact, ContactEvent, FollowUp, ServiceRecord
from hotline.services import followups
from hotline.services.calls import caller_number


@dataclass(frozen=True)
class SmsReceived:
    """What became of an SMS: the survey it answered, or the contact it was kept with."""

    contact: Contact | None = None
    follow_up: FollowUp | None = None


def sms_received(session: Session, from_number: str, body: str, now: datetime) -> SmsReceived:
    """Answer the sender's latest survey with a 1-5 reply; otherwise attach the SMS to the sender's most recent
    contact, and a stranger's SMS opens a new contact."""
    phone = caller_number(from_number)
    score = followups.parse_score(body)
    if phone and score is not None:
        follow_up = followups.answer(session, phone, score, now)
        if follow_up is not None:
            _keep_answer(session, follow_up, body, now)
            return SmsReceived(follow_up=follow_up)
    contact = None
    if phone:
        contact = session.scalar(
            select(Contact).where(Contact.caller_phone == phone).order_by(Contact.received_at.desc()).limit(1)
        )
    if contact is None:
        contact = Contact(channel="sms", caller_phone=phone, summary=body[:2000], status="new", received_at=now)
        session.add(contact)
        session.flush()
    session.add(ContactEvent(contact_id=contact.id, at=now, kind="sms_received", detail=body[:2000]))
    session.flush()
    return SmsReceived(contact=contact)


def _keep_answer(session: Session, follow_up: FollowUp, body: str, now: datetime) -> None:
    """A survey answer goes into the history of the contact the service came from, if any (never a new contact)."""
    contact_id = session.scalar(select(ServiceRecord.contact_id).where(ServiceRecord.id == follow_up.service_record_id))
    if contact_id is not None:
        session.add(ContactEvent(contact_id=contact_id, at=now, kind="survey_answered", detail=body.strip()[:2000]))
        session.flush()
