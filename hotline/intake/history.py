"""A contact's history in words: who did what, in the reader's language.

Events store codes and compact details ("labour/critical", "lawyer 18 (seat)"); this renders them.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hotline import vocab
from hotline.extensions import db
from hotline.models import Contact, ContactEvent, Lawyer

EVENTS = {
    "recorded": _l("Recorded"),
    "received_by_api": _l("Received through the API"),
    "menu_choice": _l("Chose in the voice menu"),
    "dialling": _l("Ringing"),
    "lawyer_answered": _l("Answered by"),
    "callback_needed": _l("Callback needed"),
    "call_completed": _l("Call ended"),
    "triaged": _l("Triaged"),
    "closed": _l("Answered and closed"),
    "callback_booked": _l("Callback booked for"),
    "referred": _l("Referred to"),
    "dispute": _l("Mediation"),
    "put_through": _l("Put through to"),
    "number_revealed": _l("Full number shown"),
    "escalated": _l("Escalated"),
    "escalation_closed": _l("Escalation closed"),
    "follow_up_call": _l("Follow-up call"),
    "sms_received": _l("SMS received"),
    "survey_answered": _l("Survey answered"),
}
ROUTE_REASONS = {
    "seat": _l("on the seat for this area"), "city": _l("in the caller's city"),
    "neighbour": _l("in a neighbouring city"), "qualified": _l("qualified, on duty elsewhere"),
}
CALLBACK_REASONS = {"no lawyer answered": _l("no lawyer answered"), "voicemail": _l("voicemail left"),
                    "outside duty hours": _l("outside duty hours")}
LAWYER = re.compile(r"(?:attempt (\d+): )?lawyer (\d+)(?: \((\w+)\))?")


def _lawyer_names(events: list[ContactEvent]) -> dict[int, str]:
    ids = {int(m.group(2)) for e in events for m in [LAWYER.search(e.detail or "")] if m}
    ids |= {int(e.detail) for e in events if e.kind == "lawyer_answered" and (e.detail or "").isdigit()}
    if not ids:
        return {}
    return dict(db.session.execute(select(Lawyer.id, Lawyer.name).where(Lawyer.id.in_(ids))).all())


def _detail(event: ContactEvent, names: dict[int, str]) -> str:
    detail = event.detail or ""
    kind = event.kind
    if kind == "recorded":
        return vocab.label(vocab.CHANNELS, detail)
    if kind in ("triaged", "menu_choice") and "/" in detail:
        first, second = detail.split("/", 1)
        area = vocab.label(vocab.LEGAL_AREAS, first) if first and first != "other" else str(_l("other"))
        other = vocab.label(vocab.URGENCIES if kind == "triaged" else vocab.LANGUAGES, second)
        return f"{area} · {other}"
    if kind == "lawyer_answered" and detail.isdigit():
        return names.get(int(detail), detail)
    found = LAWYER.search(detail) if kind in ("dialling", "put_through") else None
    if found:
        attempt, lawyer_id, reason = found.groups()
        text = names.get(int(lawyer_id), lawyer_id)
        if reason:
            text += f" ({vocab.label(ROUTE_REASONS, reason)})"
        return (_("attempt %(n)s:", n=attempt) + " " + text) if attempt else text
    if kind == "callback_needed":
        return vocab.label(CALLBACK_REASONS, detail)
    if kind == "callback_booked":
        try:
            return format_datetime(datetime.fromisoformat(detail), "yyyy-MM-dd HH:mm")
        except ValueError:
            return detail
    if kind == "referred" and ":" in detail:
        target, _sep, organisation = detail.partition(":")
        return f"{vocab.label(vocab.REFERRAL_TARGETS, target.strip())} {organisation.strip()}".strip()
    if kind == "dispute":
        return vocab.label(vocab.DISPUTE_OUTCOMES, detail)
    if kind == "escalated":
        return "、".join(vocab.label(vocab.RISK_FLAGS, flag) for flag in detail.split(",") if flag)
    if kind == "call_completed":
        return detail.replace(" s", " " + _("s")) if detail.endswith(" s") else detail
    return detail


def lines(contact: Contact) -> list[tuple[datetime, str, str, str]]:
    """(when, who, what, detail) per event, newest first; "who" is the user, or the hotline system for events the
    telephony webhooks and the API wrote."""
    events = list(contact.events)
    names = _lawyer_names(events)
    return [(event.at, event.user.name if event.user else _("Hotline system"), vocab.label(EVENTS, event.kind),
             _detail(event, names)) for event in reversed(events)]
