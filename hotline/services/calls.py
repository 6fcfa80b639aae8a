"""The voice flow of a 12348 call: one contact per CallSid, routing down the on-duty list, voicemail, completion."""
from __future__ import annotations

import functools
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hotline import phones
from hotline.models import Contact, ContactEvent
from hotline.services import duty_lookup, servicelog

CALLBACK_WITHIN = timedelta(hours=4)


def caller_number(raw: str | None) -> str | None:
    """The caller's number in E.164, or None when withheld or unparseable."""
    if not raw:
        return None
    try:
        return phones.normalise(raw)
    except phones.InvalidPhone:
        return None


def contact_for_call(session: Session, call_sid: str, from_number: str | None, now: datetime) -> int:
    """The id of this call's contact, created on first sight in one statement.

    INSERT ... ON CONFLICT DO NOTHING makes Twilio's retries of the same CallSid, even concurrent ones on
    several workers, find the one contact instead of creating a second.
    """
    values = {"channel": "phone", "call_sid": call_sid, "caller_phone": caller_number(from_number),
              "status": "waiting", "received_at": now, "language": "zh", "urgency": "normal", "summary": "",
              "advice": "", "caller_name": "", "is_dispute": False}
    created = session.scalar(_create_once(session.get_bind().dialect.name, tuple(values)), values)
    if created is not None:
        return created
    return session.scalar(select(Contact.id).where(Contact.call_sid == call_sid))


@functools.cache
def _create_once(dialect: str, columns: tuple[str, ...]):
    """The INSERT ... ON CONFLICT DO NOTHING RETURNING id of a call's contact, built once per dialect.

    Every incoming call runs it, so it is built with bound parameters once rather than coerced and keyed anew.
    """
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = Contact.__table__
    return (insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in columns})
            .on_conflict_do_nothing(index_elements=["call_sid"]).returning(table.c.id))


def choose(session: Session, contact: Contact, area: str | None, language: str, now: datetime) -> None:
    """Record the caller's menu choice."""
    contact.legal_area = area
    contact.language = language
    session.add(ContactEvent(contact_id=contact.id, at=now, kind="menu_choice", detail=f"{area or 'other'}/{language}"))
    session.flush()


def next_lawyer(session: Session, contact: Contact, attempt: int, now: datetime) -> duty_lookup.OnDuty | None:
    """The lawyer to ring on this attempt (0 first), down the on-duty fallback list; None when it is exhausted."""
    candidates = duty_lookup.on_duty(session, contact.legal_area, contact.language, now, contact.city_id)
    if attempt >= len(candidates):
        return None
    chosen = candidates[attempt]
    session.add(ContactEvent(contact_id=contact.id, at=now, kind="dialling",
                             detail=f"attempt {attempt + 1}: lawyer {chosen.lawyer_id} ({chosen.reason})"))
    return chosen


def lawyer_answered(session: Session, contact: Contact, lawyer_id: int, now: datetime) -> None:
    """The dialled lawyer took the call (a contact already closed stays closed)."""
    contact.lawyer_id = contact.lawyer_id if contact.status == "closed" else lawyer_id
    if contact.status != "closed":
        contact.status = "in_progress"
    if contact.answered_at is None:
        contact.answered_at = now
        contact.wait_seconds = max(0, int((now - contact.received_at).total_seconds()))
    session.add(ContactEvent(contact_id=contact.id, at=now, kind="lawyer_answered", detail=str(lawyer_id)))
    session.flush()


def needs_callback(session: Session, contact: Contact, reason: str, now: datetime) -> None:
    """Nobody could take the call: it becomes a callback task."""
    if contact.status != "closed":
        contact.status = "callback"
        contact.callback_due_at = contact.callback_due_at or now + CALLBACK_WITHIN
    session.add(ContactEvent(contact_id=contact.id, at=now, kind="callback_needed", detail=reason))
    session.flush()


def voicemail(session: Session, contact: Contact, url: str, seconds: int, now: datetime) -> None:
    """Keep the caller's recorded message on the contact."""
    contact.recording_url = url
    contact.recording_seconds = seconds
    needs_callback(session, contact, "voicemail", now)


def call_completed(session: Session, contact: Contact, duration: int, now: datetime) -> None:
    """The call ended: keep its length; a call a lawyer answered is a consultation, written to the service log once."""
    contact.duration_seconds = duration
    if contact.lawyer_id is None or contact.status == "closed":
        session.flush()
        return
    contact.status = "closed"
    contact.closed_at = now
    servicelog.append(session, servicelog.ServiceEntry(
        kind="hotline", started_at=contact.answered_at or contact.received_at, ended_at=now,
        provider_lawyer_id=contact.lawyer_id, recipient_name=contact.caller_name,
        recipient_phone=contact.caller_phone, contact_id=contact.id, city_id=contact.city_id,
        legal_area=contact.legal_area, channel="phone", outcome="consultation by the on-duty lawyer",
    ), now)
    session.add(ContactEvent(contact_id=contact.id, at=now, kind="call_completed", detail=f"{duration} s"))
    session.flush()
