"""Risk escalation: a flagged contact alerts every supervisor at once and stays open until one closes it."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Contact, ContactEvent, RiskFlag, User
from hotline.telephony import gateway

# How soon a supervisor must follow up, by risk: a life at risk cannot wait a day.
FOLLOW_UP = {
    "suicide": timedelta(hours=1),
    "domestic_violence": timedelta(hours=4),
    "group_fight": timedelta(hours=4),
    "group_petition": timedelta(hours=12),
    "civil_to_criminal": timedelta(hours=24),
}
ALERT = "【12348 风险预警】工单 {reference} 标记为：{flags}。请立即处理并在 {due} 前跟进。"
FLAG_WORDS = {"suicide": "自杀风险", "civil_to_criminal": "民转刑风险", "group_petition": "群体性上访",
              "group_fight": "群体性械斗", "domestic_violence": "家庭暴力"}


class EscalationError(ValueError):
    """A closure that cannot be made (no note, already closed); the message names the problem."""


def supervisors_on_duty(session: Session) -> list[User]:
    """Every active supervisor (operators are not rostered, so all supervisors are alerted)."""
    return list(session.scalars(
        select(User).where(User.role == "operator", User.is_supervisor.is_(True), User.active.is_(True)).order_by(User.id)
    ))


def raise_flags(session: Session, contact: Contact, flags: Iterable[str], user_id: int | None, now: datetime) -> list[RiskFlag]:
    """Flag the contact; each new flag escalates it and texts every supervisor. Flags already raised are kept."""
    existing = {flag.flag for flag in contact.risk_flags}
    new = [flag for flag in flags if flag not in existing]
    if not new:
        return []
    raised = []
    for flag in new:
        risk = RiskFlag(contact_id=contact.id, flag=flag, raised_at=now, raised_by_id=user_id,
                        follow_up_due_at=now + FOLLOW_UP[flag])
        contact.risk_flags.append(risk)
        raised.append(risk)
    contact.status = "escalated"
    contact.urgency = "critical"
    due = min(flag.follow_up_due_at for flag in raised)
    contact.follow_up_due_at = min(filter(None, [contact.follow_up_due_at, due]))
    session.add(ContactEvent(contact_id=contact.id, at=now, user_id=user_id, kind="escalated", detail=",".join(new)))
    session.flush()
    text = ALERT.format(reference=contact.reference, flags="、".join(FLAG_WORDS[f] for f in new),
                        due=f"{due.astimezone(_beijing()):%H:%M}")
    for supervisor in supervisors_on_duty(session):
        if supervisor.phone:
            gateway.queue_sms(session, supervisor.phone, text, "escalation", now)
    return raised


def _beijing():
    from hotline.models.types import PROVINCE_TZ

    return PROVINCE_TZ


def close_flag(session: Session, flag: RiskFlag, note: str, prevented: bool, user_id: int, now: datetime) -> None:
    """A supervisor closes a risk with a note and whether the incident was prevented."""
    if flag.closed_at is not None:
        raise EscalationError("already_closed")
    if not note.strip():
        raise EscalationError("note_required")
    flag.closed_at = now
    flag.closed_by_id = user_id
    flag.close_note = note.strip()
    flag.prevented = prevented
    contact = flag.contact
    session.add(ContactEvent(contact_id=contact.id, at=now, user_id=user_id, kind="escalation_closed",
                             detail=f"{flag.flag}: {note.strip()}"))
    if all(other.closed_at is not None for other in contact.risk_flags) and contact.status == "escalated":
        contact.status = "in_progress"
        contact.follow_up_due_at = None
    session.flush()


def open_escalations(session: Session, limit: int = 200, city_id: int | None = None) -> list[RiskFlag]:
    """Risk flags still open, the most urgent deadline first (of one city's contacts when a city is given)."""
    query = select(RiskFlag).where(RiskFlag.closed_at.is_(None))
    if city_id is not None:
        query = query.join(Contact, Contact.id == RiskFlag.contact_id).where(Contact.city_id == city_id)
    return list(session.scalars(
        query.options(selectinload(RiskFlag.contact)).order_by(RiskFlag.follow_up_due_at, RiskFlag.id).limit(limit)))
