"""Twilio webhooks under /telephony/: the 12348 voice menu, routing to the on-duty lawyer, voicemail, SMS replies,
connecting booked phone consultations, and the conference of a mediation by phone.

Every view checks Twilio's signature (403 when wrong) and answers malformed input with 400, never 500.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, url_for
from sqlalchemy import select

from hotline.auth.access import public
from hotline.extensions import csrf, db
from hotline.formkit import whole_number
from hotline.models import Booking, Contact, DisputeSession, Lawyer, User
from hotline.models.types import utcnow
from hotline.services import calls, duty_lookup, inbound
from hotline.telephony import twiml
from hotline.telephony.signature import once, signed

bp = Blueprint("telephony", __name__, url_prefix="/telephony")
csrf.exempt(bp)

ANSWERED = {"completed", "answered"}


def _xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _form(name: str, required: bool = True, limit: int = 400) -> str:
    """A form field from Twilio, or 400 when a required one is missing or oversized."""
    value = request.form.get(name, "")
    if (required and not value) or len(value) > limit:
        abort(400, description=f"missing or invalid {name}")
    return value


def _int(value: str | None, name: str) -> int:
    """A non-negative whole number, or 400."""
    number = whole_number(value)
    if number is None:
        abort(400, description=f"missing or invalid {name}")
    return number


def _contact_of_call() -> Contact:
    """The contact this call created, or 400 (a webhook for a call we never saw)."""
    contact = db.session.scalar(select(Contact).where(Contact.call_sid == _form("CallSid", limit=64)))
    if contact is None:
        abort(400, description="unknown CallSid")
    return contact


def _url(endpoint: str, **values) -> str:
    """A path for TwiML actions (relative, so it works behind any host)."""
    return url_for(endpoint, **values)


@bp.route("/voice/incoming", methods=["POST"])
@public
@signed
@once()
def voice_incoming():
    """A call to 12348: create its contact once, then offer the menu, or a voicemail outside duty hours."""
    now = utcnow()
    contact_id = calls.contact_for_call(db.session, _form("CallSid", limit=64), request.form.get("From"), now)
    open_cache = current_app.extensions.setdefault("hotline_open_cache", duty_lookup.OpenCache())
    if not open_cache.anyone_on_duty(db.session, now):
        calls.needs_callback(db.session, db.session.get(Contact, contact_id), "outside duty hours", now)
        db.session.commit()
        return _xml(twiml.record(twiml.CLOSED, _url("telephony.voice_recording"), "zh"))
    db.session.commit()
    return _xml(twiml.menu(_url("telephony.voice_menu", lang="zh")))


@bp.route("/voice/menu", methods=["POST"])
@public
@signed
@once("Digits")
def voice_menu():
    """The caller's key: a language switch, a legal area, or nothing (anything else); then ring the first lawyer."""
    now = utcnow()
    language = request.args.get("lang", "zh")
    if language not in twiml.VOICE:
        abort(400, description="invalid lang")
    contact = _contact_of_call()
    digits = request.form.get("Digits", "")
    if digits in twiml.LANGUAGE_KEYS:
        chosen = twiml.LANGUAGE_KEYS[digits]
        return _xml(twiml.menu(_url("telephony.voice_menu", lang=chosen), chosen, with_language_offer=False))
    calls.choose(db.session, contact, twiml.MENU.get(digits), language, now)
    body = _ring(contact, 0, now)
    db.session.commit()
    return _xml(body)


def _ring(contact: Contact, attempt: int, now) -> str:
    """TwiML ringing the lawyer for this attempt, or taking a voicemail when the list is exhausted."""
    lawyer = calls.next_lawyer(db.session, contact, attempt, now)
    if lawyer is None:
        calls.needs_callback(db.session, contact, "no lawyer answered", now)
        return twiml.record(twiml.VOICEMAIL, _url("telephony.voice_recording"), contact.language)
    action = _url("telephony.dial_status", attempt=attempt, lawyer=lawyer.lawyer_id)
    return twiml.dial(lawyer.phone, current_app.config.get("TWILIO_FROM_NUMBER"), action, contact.language)


@bp.route("/voice/dial-status", methods=["POST"])
@public
@signed
@once("DialCallStatus")
def dial_status():
    """The lawyer's leg ended: done if they answered, otherwise ring the next lawyer on the list."""
    now = utcnow()
    attempt = _int(request.args.get("attempt"), "attempt")
    lawyer_id = _int(request.args.get("lawyer"), "lawyer")
    contact = _contact_of_call()
    if db.session.get(Lawyer, lawyer_id) is None:
        abort(400, description="unknown lawyer")
    if request.form.get("DialCallStatus", "") in ANSWERED:
        calls.lawyer_answered(db.session, contact, lawyer_id, now)
        db.session.commit()
        return _xml(twiml.hangup())
    body = _ring(contact, attempt + 1, now)
    db.session.commit()
    return _xml(body)


@bp.route("/voice/recording", methods=["POST"])
@public
@signed
@once("RecordingSid", "RecordingUrl")
def voice_recording():
    """The caller's voicemail is kept on the contact, which becomes a callback task."""
    now = utcnow()
    contact = _contact_of_call()
    url = _form("RecordingUrl", limit=400)
    if not url.startswith("https://"):
        abort(400, description="invalid RecordingUrl")
    seconds = _int(request.form.get("RecordingDuration", "0"), "RecordingDuration")
    calls.voicemail(db.session, contact, url, seconds, now)
    db.session.commit()
    return _xml(twiml.goodbye(contact.language))


@bp.route("/voice/status", methods=["POST"])
@public
@signed
@once("CallStatus")
def voice_status():
    """Call status callback: a completed call records its duration and, if a lawyer answered, a service record."""
    now = utcnow()
    status = _form("CallStatus", limit=32)
    contact = db.session.scalar(select(Contact).where(Contact.call_sid == _form("CallSid", limit=64)))
    if contact is not None and status == "completed":
        calls.call_completed(db.session, contact, _int(request.form.get("CallDuration", "0"), "CallDuration"), now)
        db.session.commit()
    return _xml(twiml.empty())


@bp.route("/voice/conference", methods=["POST"])
@public
@signed
def voice_conference():
    """Instructions for each leg of a put-through call: join the contact's conference room."""
    room = request.args.get("room", "")
    if not room.startswith("contact-") or not room[8:].isdigit():
        abort(400, description="invalid room")
    return _xml(twiml.conference(room))


@bp.route("/consult/<int:booking_id>/connect", methods=["POST"])
@public
@signed
def consult_connect(booking_id: int):
    """The lawyer answered a booked phone consultation: dial the liaison, or explain it is no longer booked."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    liaison = db.session.get(User, booking.request.liaison_id) if booking.request is not None else None
    if booking.status != "booked" or booking.mode != "phone" or liaison is None or not liaison.phone:
        return _xml(twiml.consult_unavailable())
    return _xml(twiml.consult_connect(liaison.phone, current_app.config.get("TWILIO_FROM_NUMBER")))


@bp.route("/mediation/<int:session_id>/join", methods=["POST"])
@public
@signed
def mediation_join(session_id: int):
    """A leg of a mediation by phone was answered: the mediator (no `party`) or that party joins the session's
    conference; a session no longer scheduled is said to be over."""
    from hotline.services.dispute_sessions import room_name

    sitting = db.session.get(DisputeSession, session_id)
    if sitting is None:
        abort(404)
    party = request.args.get("party")
    if party is not None and _int(party, "party") not in {p.id for p in sitting.dispute.parties}:
        abort(400, description="not a party to this dispute")
    if sitting.state != "scheduled" or sitting.mode != "phone":
        return _xml(twiml.mediation_unavailable())
    return _xml(twiml.mediation_conference(room_name(sitting.id), mediator=party is None))


@bp.route("/sms/incoming", methods=["POST"])
@public
@signed
@once()
def sms_incoming():
    """An SMS to the hotline number: a survey score is answered with thanks; anything else is kept with the sender's
    latest contact."""
    received = inbound.sms_received(db.session, _form("From", limit=32), _form("Body", required=False, limit=1600),
                                    utcnow())
    db.session.commit()
    return _xml(twiml.message(twiml.SURVEY_THANKS) if received.follow_up is not None else twiml.empty())
