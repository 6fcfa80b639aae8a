"""Messages that arrive by SMS: kept with the sender's latest contact, or as a new SMS contact."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Contact, ContactEvent
from hotline.services.calls import caller_number


def sms_received(session: Session, from_number: str, body: str, now: datetime) -> Contact:
    """Attach an incoming SMS to the sender's most recent contact; a stranger's SMS opens a new contact."""
    phone = caller_number(from_number)
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
    return contact
