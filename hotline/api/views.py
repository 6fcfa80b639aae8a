"""/api/v1: token-authenticated JSON endpoints; every error is JSON with a 4xx status."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hotline.api import schema
from hotline.auth.access import public
from hotline.extensions import csrf, db, limiter
from hotline import phones
from hotline.models import (
    ApiClient, Booking, City, Contact, CounselRequest, Dispute, Lawyer, OrgUnit,
)
from hotline.models.apiclient import token_digest
from hotline.models.types import utcnow
from hotline.services import consult, disputes, duty_lookup, intake, slots
from hotline.vocab import LANGUAGES, LEGAL_AREAS

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
CONTACT_VALIDATOR = Draft202012Validator(schema.CONTACT_IN)
BOOKING_VALIDATOR = Draft202012Validator(schema.BOOKING_IN)


def token_required(scope: str):
    """Let a request through only with an active client's bearer token (401) that holds scope (403)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            token = header[7:].strip() if header.startswith("Bearer ") else ""
            client = (db.session.scalar(select(ApiClient).where(ApiClient.token_sha256 == token_digest(token)))
                      if token else None)
            if client is None or not client.active:
                return jsonify(error="unauthorized", message="A valid bearer token is required."), 401
            if not client.may(scope):
                return _forbidden(f"This client does not have the {scope!r} scope.")
            g.api_client = client
            return view(*args, **kwargs)

        wrapper._api_scope = scope  # type: ignore[attr-defined]  (read by the OpenAPI document's test)
        return wrapper

    return decorate


def _forbidden(message: str):
    return jsonify(error="forbidden", message=message), 403


def _bad(message: str):
    return jsonify(error="bad_request", message=message), 400


def _validated(validator) -> dict | tuple:
    """The JSON body if it matches the schema, else a 400 response naming the first problem."""
    payload = request.get_json(silent=True)
    if payload is None:
        return _bad("The body must be a JSON object.")
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.path))
    if errors:
        where = ".".join(str(part) for part in errors[0].path) or "body"
        return _bad(f"{where}: {errors[0].message}"[:300])
    return payload


def _contact_json(contact: Contact) -> dict:
    return {
        "id": contact.id, "reference": contact.reference, "status": contact.status, "legal_area": contact.legal_area,
        "urgency": contact.urgency, "received_at": contact.received_at.isoformat(),
        "closed_at": contact.closed_at.isoformat() if contact.closed_at else None,
        "escalated": any(flag.closed_at is None for flag in contact.risk_flags),
    }


@bp.route("/openapi.json")
@public
def openapi():
    """The OpenAPI document."""
    return jsonify(schema.document(current_app.config["PUBLIC_BASE_URL"]))


@bp.route("/contacts", methods=["POST"])
@limiter.limit("120 per minute")
@public
@token_required("contacts")
def create_contact():
    """Hand a contact over; the same external_id returns the existing contact (200) instead of a new one."""
    payload = _validated(CONTACT_VALIDATOR)
    if not isinstance(payload, dict):
        return payload
    client = g.api_client
    if payload.get("risk_flags") and not client.may("escalate"):
        # Risk flags text every supervisor at once: only clients trusted with that may raise them.
        return _forbidden("This client does not have the 'escalate' scope needed to send risk_flags.")
    external_id = payload.get("external_id")
    if external_id:
        existing = db.session.scalar(select(Contact).where(Contact.api_client_id == client.id,
                                                           Contact.external_id == external_id))
        if existing is not None:
            return jsonify(_contact_json(existing)), 200
    city_id = None
    if payload.get("city"):
        city_id = db.session.scalar(select(City.id).where(City.code == payload["city"]))
        if city_id is None:
            return _bad(f"city: unknown city code {payload['city']!r}")
    if client.city_id is not None:
        # a city's client hands over that city's contacts only
        if city_id is not None and city_id != client.city_id:
            return _forbidden("This client acts for one city: city must be that city's code or left out.")
        city_id = client.city_id
    try:
        with db.session.begin_nested():
            contact = intake.record_external(db.session, client, payload, city_id, utcnow())
    except intake.IntakeError as error:
        db.session.rollback()
        return _bad(str(error))
    except IntegrityError:
        # The same external_id arrived twice at once: the other request created it.
        db.session.rollback()
        existing = db.session.scalar(select(Contact).where(Contact.api_client_id == client.id,
                                                           Contact.external_id == external_id))
        if existing is None:
            raise
        return jsonify(_contact_json(existing)), 200
    client.last_used_at = utcnow()
    db.session.commit()
    return jsonify(_contact_json(contact)), 201


@bp.route("/contacts/<int:contact_id>")
@public
@token_required("contacts")
def get_contact(contact_id: int):
    """A contact this client handed over (others are 404)."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.api_client_id != g.api_client.id:
        return jsonify(error="not_found", message="No such contact for this client."), 404
    return jsonify(_contact_json(contact))


@bp.route("/on-duty")
@public
@token_required("on-duty")
def on_duty():
    """Who is on duty now for an area and language, best first (no phone numbers)."""
    area = request.args.get("area") or None
    language = request.args.get("language") or "zh"
    if area is not None and area not in LEGAL_AREAS:
        return _bad("area: unknown legal area")
    if language not in LANGUAGES:
        return _bad("language: unknown language")
    city_id = None
    if request.args.get("city"):
        city_id = db.session.scalar(select(City.id).where(City.code == request.args["city"][:32]))
        if city_id is None:
            return _bad("city: unknown city code")
    now = utcnow()
    if g.api_client.city_id is not None:
        if city_id is not None and city_id != g.api_client.city_id:
            return _forbidden("This client acts for one city: ask for that city's duty only.")
        city_id = g.api_client.city_id
    lawyers = duty_lookup.on_duty(db.session, area, language, now, city_id)
    if g.api_client.city_id is not None:
        lawyers = [l for l in lawyers if l.reason in ("seat", "city")
                   and _lawyer_city(l.lawyer_id) == g.api_client.city_id]
    return jsonify(at=now.isoformat(), lawyers=[{"id": l.lawyer_id, "name": l.name, "reason": l.reason} for l in lawyers])


def _lawyer_city(lawyer_id: int) -> int | None:
    return db.session.scalar(select(Lawyer.city_id).where(Lawyer.id == lawyer_id))


def _booking_json(booking: Booking) -> dict:
    return {"id": booking.id, "request_id": booking.request_id, "slot_id": booking.slot_id, "lawyer": booking.lawyer.name,
            "mode": booking.mode, "starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat(),
            "status": booking.status}


@bp.route("/requests/<int:request_id>/slots")
@public
@token_required("bookings")
def request_slots(request_id: int):
    """Free slots for a counsel request, the project's own counsel first (for the province's project platform)."""
    item = _request_of_client(request_id)
    if not isinstance(item, CounselRequest):
        return item
    offers = slots.offers(db.session, item, utcnow())
    return jsonify(slots=[{"id": o.slot.id, "starts_at": o.slot.starts_at.isoformat(), "ends_at": o.slot.ends_at.isoformat(),
                           "lawyer": o.slot.lawyer.name, "own_counsel": o.role} for o in offers])


def _request_of_client(request_id: int):
    """The counsel request if this client acts for its liaison; else a 404 (no such request) or 403 response."""
    item = db.session.get(CounselRequest, request_id)
    if item is None:
        return jsonify(error="not_found", message="No such counsel request."), 404
    if item.liaison_id not in {liaison.id for liaison in g.api_client.liaisons if liaison.active}:
        return _forbidden("This client does not act for the liaison of that counsel request.")
    return item


BOOKING_REFUSALS = {
    "taken": (409, "That slot has already been taken."),
    "request_closed": (409, "The request is already booked, completed or withdrawn."),
    "no_slot": (404, "No such slot."),
}


@bp.route("/bookings", methods=["POST"])
@limiter.limit("120 per minute")
@public
@token_required("bookings")
def create_booking():
    """Book a slot for a counsel request: 201 with the booking, or 409 when someone else took the slot first."""
    payload = _validated(BOOKING_VALIDATOR)
    if not isinstance(payload, dict):
        return payload
    item = _request_of_client(payload["request_id"])
    if not isinstance(item, CounselRequest):
        return item
    try:
        booking = consult.book(db.session, item, payload["slot_id"], utcnow())
        g.api_client.last_used_at = utcnow()
        db.session.commit()
    except consult.ConsultError as error:
        db.session.rollback()
        status, message = BOOKING_REFUSALS.get(error.code, (409, f"The slot does not suit the request ({error.code})."))
        return jsonify(error="taken" if error.code == "taken" else error.code, message=message), status
    return jsonify(_booking_json(booking)), 201


DISPUTE_VALIDATOR = Draft202012Validator(schema.DISPUTE_IN)
_OUTCOMES = ("succeed", "fail", "transfer", "withdraw")


def _dispute_json(dispute: Dispute) -> dict:
    events = sorted(dispute.events, key=lambda event: event.seq)
    ending = next((event for event in reversed(events) if event.action in _OUTCOMES), None)
    committee = dispute.committee
    return {
        "id": dispute.id, "number": dispute.number, "external_id": dispute.external_id, "state": dispute.state,
        "risk_level": dispute.risk_level, "committee": committee.code if committee else None,
        "outcome": {"action": ending.action, "at": ending.at.isoformat(), **ending.data} if ending else None,
        "updated_at": events[-1].at.isoformat() if events else dispute.created_at.isoformat(),
    }


def _client_dispute(external_id: str) -> Dispute | None:
    return db.session.scalar(select(Dispute).where(Dispute.api_client_id == g.api_client.id,
                                                   Dispute.external_id == external_id))


@bp.route("/disputes", methods=["POST"])
@limiter.limit("120 per minute")
@public
@token_required("disputes")
def create_dispute():
    """Hand a dispute over (五调联动, 诉调对接); the same external_id returns the existing entry (200)."""
    payload = _validated(DISPUTE_VALIDATOR)
    if not isinstance(payload, dict):
        return payload
    client = g.api_client
    existing = _client_dispute(payload["external_id"])
    if existing is not None:
        return jsonify(_dispute_json(existing)), 200
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == payload["place"]))
    if unit is None:
        return _bad(f"place: unknown org unit code {payload['place']!r}")
    if client.city_id is not None and unit.city_id != client.city_id:
        return _forbidden("This client acts for one city: place must lie in that city.")
    now = utcnow()
    found_at = now
    if payload.get("found_at"):
        try:
            found_at = datetime.fromisoformat(payload["found_at"].replace("Z", "+00:00"))
        except ValueError:
            return _bad("found_at: not an ISO 8601 date and time")
        if found_at.tzinfo is None:
            return _bad("found_at: give a UTC offset (e.g. +08:00)")
        if found_at < now - timedelta(days=3650):
            return _bad("found_at: more than ten years ago")
    parties = []
    for number, party in enumerate(payload.get("parties", []), 1):
        phone = None
        if party.get("phone"):
            try:
                phone = phones.normalise(party["phone"])
            except ValueError:
                return _bad(f"parties.{number - 1}.phone: not a phone number")
        parties.append(disputes.Party(name=party["name"], phone=phone, role=party.get("role", "")))
    for _attempt in range(3):
        try:
            with db.session.begin_nested():
                dispute = disputes.register(
                    db.session, source=payload.get("source", "api"), found_at=found_at, org_unit=unit,
                    dispute_type=payload["dispute_type"], summary=payload["summary"], parties=parties,
                    risk_level=payload.get("risk_level", "blue"), risks=payload.get("risks"),
                    people_involved=payload.get("people_involved", 2), amount=payload.get("amount"),
                    language=payload.get("language", "zh"), api_client_id=client.id,
                    external_id=payload["external_id"], now=now)
            break
        except disputes.DisputeRefused as refused:
            db.session.rollback()
            return _bad(DISPUTE_API_REFUSALS.get(refused.code, refused.code))
        except IntegrityError:
            # The same external_id arrived twice at once (answer with the entry the other request made), or another
            # entry took the same ledger number first (number it again).
            db.session.rollback()
            existing = _client_dispute(payload["external_id"])
            if existing is not None:
                return jsonify(_dispute_json(existing)), 200
    else:
        return jsonify(error="conflict", message="Too many disputes were registered at the same moment; "
                                                 "send it again."), 409
    client.last_used_at = now
    db.session.commit()
    return jsonify(_dispute_json(dispute)), 201


DISPUTE_API_REFUSALS = {
    "found_in_future": "found_at: lies in the future",
    "summary_required": "summary: must not be blank",
}


@bp.route("/disputes/<int:dispute_id>")
@public
@token_required("disputes")
def get_dispute(dispute_id: int):
    """A dispute this client handed over (others are 404)."""
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None or dispute.api_client_id != g.api_client.id:
        return jsonify(error="not_found", message="No such dispute for this client."), 404
    return jsonify(_dispute_json(dispute))
