"""Operator actions on a contact: record, triage, answer, callback, refer, dispute outcome, put through."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Contact, ContactEvent, Referral, User
from hotline.services import duty_lookup, escalation, servicelog
from hotline.telephony import gateway

REFERRAL_SMS = "【12348】您的咨询（工单 {reference}）已转至{organisation}。{note}请携带身份证件及相关材料前往办理。"
REFERRAL_NAMES = {"legal_aid": "法律援助中心", "mediation": "人民调解委员会", "notary": "公证处", "court": "人民法院",
                  "police": "公安机关（110）", "petition": "信访部门"}


class IntakeError(ValueError):
    """An action that cannot be taken on this contact now; str() is a code the view translates."""


@dataclass
class Triage:
    """What an operator records about a contact."""

    legal_area: str | None
    urgency: str = "normal"
    summary: str = ""
    city_id: int | None = None
    caller_name: str = ""
    language: str = "zh"
    risk_flags: list[str] = field(default_factory=list)


def _event(session: Session, contact: Contact, user: User | None, kind: str, detail: str, now: datetime) -> None:
    session.add(ContactEvent(contact_id=contact.id, at=now, user_id=user.id if user else None, kind=kind, detail=detail))


def _apply(contact: Contact, data: Triage) -> None:
    contact.legal_area = data.legal_area
    contact.urgency = data.urgency
    contact.summary = data.summary
    contact.city_id = data.city_id
    contact.caller_name = data.caller_name
    contact.language = data.language


def record_contact(session: Session, data: Triage, channel: str, caller_phone: str | None, user: User,
                   now: datetime) -> Contact:
    """A contact entered by hand (walk-in, letter, web, or a call taken outside Twilio)."""
    contact = Contact(channel=channel, caller_phone=caller_phone, status="in_progress", received_at=now,
                      answered_at=now, wait_seconds=0, assignee_id=user.id, created_by_id=user.id)
    _apply(contact, data)
    session.add(contact)
    session.flush()
    _event(session, contact, user, "recorded", channel, now)
    escalation.raise_flags(session, contact, data.risk_flags, user.id, now)
    return contact


def triage(session: Session, contact: Contact, data: Triage, user: User, now: datetime) -> None:
    """Record the operator's triage; a new risk flag escalates at once."""
    if contact.status == "closed":
        raise IntakeError("closed")
    _apply(contact, data)
    contact.assignee_id = user.id
    if contact.status in ("new", "waiting"):
        contact.status = "in_progress"
    if contact.answered_at is None:
        contact.answered_at = now
        contact.wait_seconds = max(0, int((now - contact.received_at).total_seconds()))
    _event(session, contact, user, "triaged", f"{data.legal_area or ''}/{data.urgency}", now)
    escalation.raise_flags(session, contact, data.risk_flags, user.id, now)
    session.flush()


def _log_service(session: Session, contact: Contact, kind: str, user: User, outcome: str, now: datetime) -> None:
    """Write the service this contact received to the service log."""
    servicelog.append(session, servicelog.ServiceEntry(
        kind=kind, started_at=contact.answered_at or contact.received_at, ended_at=now, provider_user_id=user.id,
        provider_lawyer_id=contact.lawyer_id, recipient_name=contact.caller_name, recipient_phone=contact.caller_phone,
        contact_id=contact.id, city_id=contact.city_id, legal_area=contact.legal_area, channel=contact.channel,
        outcome=outcome[:2000],
    ), now)


def close_with_advice(session: Session, contact: Contact, advice: str, user: User, now: datetime) -> None:
    """Answer the caller and close the contact; the advice is logged as a service."""
    if contact.status == "closed":
        raise IntakeError("closed")
    if not advice.strip():
        raise IntakeError("advice_required")
    kind = "callback" if contact.status == "callback" else ("on_site" if contact.channel == "walk_in" else "hotline")
    if contact.status == "callback":
        contact.callback_done_at = now
    contact.advice = advice.strip()
    contact.status = "closed"
    contact.closed_at = now
    contact.answered_at = contact.answered_at or now
    _event(session, contact, user, "closed", "", now)
    _log_service(session, contact, kind, user, advice.strip(), now)
    session.flush()


def book_callback(session: Session, contact: Contact, due_at: datetime, user: User, now: datetime) -> None:
    """Promise the caller a call back by due_at."""
    if contact.status == "closed":
        raise IntakeError("closed")
    if due_at <= now:
        raise IntakeError("callback_in_past")
    if not contact.caller_phone:
        raise IntakeError("no_number")
    contact.status = "callback"
    contact.callback_due_at = due_at
    _event(session, contact, user, "callback_booked", due_at.isoformat(), now)
    session.flush()


def refer(session: Session, contact: Contact, target: str, organisation: str, note: str, user: User,
          now: datetime) -> Referral:
    """Refer the caller elsewhere, tell them by SMS where to go, and log the referral as a service."""
    if contact.status == "closed":
        raise IntakeError("closed")
    organisation = organisation.strip() or REFERRAL_NAMES[target]
    referral = Referral(contact_id=contact.id, target=target, organisation=organisation, note=note.strip(),
                        created_at=now, created_by_id=user.id)
    session.add(referral)
    if contact.caller_phone:
        text = REFERRAL_SMS.format(reference=contact.reference, organisation=organisation,
                                   note=(note.strip() + "。") if note.strip() else "")
        referral.outbox_id = gateway.queue_sms(session, contact.caller_phone, text, "referral", now).id
    contact.status = "referred"
    contact.closed_at = now
    contact.answered_at = contact.answered_at or now
    _event(session, contact, user, "referred", f"{target}: {organisation}", now)
    kind = "legal_aid_referral" if target == "legal_aid" else "referral"
    _log_service(session, contact, kind, user, f"referred to {organisation}. {note.strip()}", now)
    session.flush()
    return referral


def who_to_ring(session: Session, contact: Contact, now: datetime) -> list[duty_lookup.OnDuty]:
    """The lawyers a put-through would ring for this contact, first choice first (the call router's own answer)."""
    return duty_lookup.on_duty(session, contact.legal_area, contact.language, now, contact.city_id)


def put_through(session: Session, contact: Contact, operator: User, settings: gateway.TwilioSettings,
                now: datetime, expected_lawyer_id: int | None = None) -> duty_lookup.OnDuty:
    """Connect operator, caller and the on-duty lawyer in one conference, from the hotline number only. The lawyer
    is the one the operator was shown (`expected_lawyer_id`) while still on duty; refused when they no longer are."""
    if not operator.phone:
        raise IntakeError("operator_without_phone")
    lawyers = who_to_ring(session, contact, now)
    if not lawyers:
        raise IntakeError("nobody_on_duty")
    lawyer = lawyers[0]
    if expected_lawyer_id is not None:
        lawyer = next((item for item in lawyers if item.lawyer_id == expected_lawyer_id), None)
        if lawyer is None:
            raise IntakeError("lawyer_changed")
    room_url = f"{settings.public_base_url}/telephony/voice/conference?room=contact-{contact.id}"
    gateway.queue_call(session, operator.phone, room_url, "put_through", now)
    gateway.queue_call(session, lawyer.phone, room_url, "put_through", now)
    if contact.call_sid and contact.status in ("waiting", "in_progress", "new") and settings.configured:
        gateway.redirect_live_call(settings, contact.call_sid, room_url)
    elif contact.caller_phone:
        gateway.queue_call(session, contact.caller_phone, room_url, "put_through", now)
    else:
        raise IntakeError("no_number")
    contact.lawyer_id = lawyer.lawyer_id
    contact.status = "in_progress"
    _event(session, contact, operator, "put_through", f"lawyer {lawyer.lawyer_id} ({lawyer.reason})", now)
    session.flush()
    return lawyer


def reveal_number(session: Session, contact: Contact, user: User, now: datetime) -> str | None:
    """The caller's full number; revealing it is itself logged on the contact."""
    _event(session, contact, user, "number_revealed", "", now)
    session.flush()
    return contact.caller_phone


def earlier_contacts(session: Session, contact: Contact, limit: int = 20) -> list[Contact]:
    """The same caller's other contacts, newest first."""
    if not contact.caller_phone:
        return []
    return list(session.scalars(
        select(Contact).where(Contact.caller_phone == contact.caller_phone, Contact.id != contact.id)
        .order_by(Contact.received_at.desc()).limit(limit)
    ))


def record_external(session: Session, client, payload: dict, city_id: int | None, now: datetime) -> Contact:
    """A contact handed over through the API by another call centre (payload already validated)."""
    from hotline import phones

    caller_phone = None
    if payload.get("caller_phone"):
        try:
            caller_phone = phones.normalise(payload["caller_phone"])
        except phones.InvalidPhone:
            raise IntakeError("caller_phone: not a valid phone number") from None
    contact = Contact(
        channel=payload.get("channel", "phone"), caller_phone=caller_phone, caller_name=payload.get("caller_name", ""),
        language=payload.get("language", "zh"), city_id=city_id, legal_area=payload.get("legal_area"),
        urgency=payload.get("urgency", "normal"), summary=payload["summary"], status="new", received_at=now,
        api_client_id=client.id, external_id=payload.get("external_id"),
    )
    session.add(contact)
    session.flush()
    _event(session, contact, None, "received_by_api", client.name, now)
    escalation.raise_flags(session, contact, payload.get("risk_flags", []), None, now)
    return contact
