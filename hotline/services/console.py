"""What the operator console shows: the live queue and contact search."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from hotline import phones
from hotline.models import Contact, RiskFlag
from hotline.models.types import PROVINCE_TZ
from hotline.services import escalation

CALLBACK_HORIZON = timedelta(hours=2)


@dataclass
class Queue:
    """The hotline's queue: the first `limit` of each list, and how many each holds in all (the console's badges
    and the operator's home page show these same numbers)."""

    waiting: list[Contact]
    callbacks: list[Contact]
    escalations: list[RiskFlag]
    waiting_total: int = 0
    callbacks_total: int = 0
    escalations_total: int = 0


def queue(session: Session, now: datetime, limit: int = 50, city_id: int | None = None) -> Queue:
    """New and waiting contacts (oldest first), callbacks due within two hours or overdue (earliest first), and
    open escalations (a city bureau's coordinator: its city's)."""
    in_city = [] if city_id is None else [Contact.city_id == city_id]
    is_waiting = and_(Contact.status.in_(("new", "waiting")), *in_city)
    callback_due = (Contact.status == "callback", Contact.callback_due_at <= now + CALLBACK_HORIZON, *in_city)
    waiting = session.scalars(select(Contact).where(is_waiting).order_by(Contact.received_at).limit(limit))
    callbacks = session.scalars(select(Contact).where(*callback_due).order_by(Contact.callback_due_at).limit(limit))
    found = Queue(waiting=list(waiting), callbacks=list(callbacks),
                  escalations=escalation.open_escalations(session, limit, city_id))
    found.waiting_total = _total(session, found.waiting, limit, select(func.count(Contact.id)).where(is_waiting))
    found.callbacks_total = _total(session, found.callbacks, limit, select(func.count(Contact.id)).where(*callback_due))
    open_flags = select(func.count(RiskFlag.id)).where(RiskFlag.closed_at.is_(None))
    if city_id is not None:
        open_flags = open_flags.join(Contact, Contact.id == RiskFlag.contact_id).where(Contact.city_id == city_id)
    found.escalations_total = _total(session, found.escalations, limit, open_flags)
    return found


def _total(session: Session, listed: list, limit: int, count) -> int:
    """How many rows the list would hold without its limit (counted only when the limit cut it)."""
    return len(listed) if len(listed) < limit else session.scalar(count) or 0


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
           date_from: date | None = None, date_to: date | None = None, city_id: int | None = None) -> Select:
    """A query for contacts matching the filters, newest first (dates are Beijing days)."""
    query = select(Contact).order_by(Contact.received_at.desc())
    if city_id is not None:
        query = query.where(Contact.city_id == city_id)
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
