"""What the operator console shows: the live queue and contact search."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from hotline import phones
from hotline.models import Contact, RiskFlag
from hotline.models.types import PROVINCE_TZ
from hotline.services import escalation

CALLBACK_HORIZON = timedelta(hours=2)


@dataclass
class Queue:
    """The console's lists."""

    waiting: list[Contact]
    callbacks: list[Contact]
    escalations: list[RiskFlag]


def queue(session: Session, now: datetime, limit: int = 50) -> Queue:
    """New and waiting contacts (oldest first), callbacks due soon (earliest first), and open escalations."""
    waiting = session.scalars(
        select(Contact).where(Contact.status.in_(("new", "waiting"))).order_by(Contact.received_at).limit(limit)
    )
    callbacks = session.scalars(
        select(Contact).where(Contact.status == "callback", Contact.callback_due_at <= now + CALLBACK_HORIZON)
        .order_by(Contact.callback_due_at).limit(limit)
    )
    return Queue(waiting=list(waiting), callbacks=list(callbacks), escalations=escalation.open_escalations(session, limit))


def contact_json(contact: Contact, now: datetime) -> dict:
    """A contact as the console's live list shows it (number masked)."""
    return {
        "id": contact.id,
        "reference": contact.reference,
        "caller": phones.mask(contact.caller_phone),
        "legal_area": contact.legal_area,
        "urgency": contact.urgency,
        "status": contact.status,
        "waiting_s": max(0, int((now - contact.received_at).total_seconds())),
        "callback_due_at": contact.callback_due_at.isoformat() if contact.callback_due_at else None,
    }


def search(session: Session, *, q: str = "", area: str | None = None, status: str | None = None,
           date_from: date | None = None, date_to: date | None = None) -> Select:
    """A query for contacts matching the filters, newest first (dates are Beijing days)."""
    query = select(Contact).order_by(Contact.received_at.desc())
    q = (q or "").strip()
    if q:
        try:
            query = query.where(Contact.caller_phone == phones.normalise(q))
        except phones.InvalidPhone:
            digits = "".join(ch for ch in q if ch.isdigit())
            conditions = [func.lower(Contact.caller_name).contains(q.lower())]
            if len(digits) >= 4:
                conditions.append(Contact.caller_phone.endswith(digits))
            query = query.where(or_(*conditions))
    if area:
        query = query.where(Contact.legal_area == area)
    if status:
        query = query.where(Contact.status == status)
    if date_from:
        query = query.where(Contact.received_at >= datetime.combine(date_from, time.min, PROVINCE_TZ))
    if date_to:
        query = query.where(Contact.received_at < datetime.combine(date_to + timedelta(days=1), time.min, PROVINCE_TZ))
    return query
