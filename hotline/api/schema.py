"""The API's OpenAPI document; its request schemas are also what the views validate against."""
from __future__ import annotations

from hotline.vocab import (
    CHANNELS, CONTACT_STATUSES, DISPUTE_STATES, DISPUTE_TYPES, LANGUAGES, LEGAL_AREAS, RISK_FLAGS, RISK_LEVELS, URGENCIES,
)

NO_NUL = "^[^\\x00]*$"  # PostgreSQL text cannot hold a NUL character

CONTACT_IN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["summary"],
    "properties": {
        "external_id": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_NUL,
                        "description": "Your id for this contact; sending it again returns the same contact."},
        "channel": {"type": "string", "enum": sorted(CHANNELS), "default": "phone"},
        "caller_phone": {"type": "string", "maxLength": 32, "pattern": NO_NUL, "description": "Any common form; stored in E.164."},
        "caller_name": {"type": "string", "maxLength": 120, "pattern": NO_NUL},
        "language": {"type": "string", "enum": sorted(LANGUAGES), "default": "zh"},
        "city": {"type": "string", "maxLength": 32, "pattern": NO_NUL, "description": "City code, e.g. shenyang."},
        "legal_area": {"type": "string", "enum": sorted(LEGAL_AREAS)},
        "urgency": {"type": "string", "enum": sorted(URGENCIES), "default": "normal"},
        "risk_flags": {"type": "array", "items": {"type": "string", "enum": sorted(RISK_FLAGS)}, "uniqueItems": True,
                       "maxItems": len(RISK_FLAGS)},
        "summary": {"type": "string", "minLength": 1, "maxLength": 4000, "pattern": NO_NUL},
    },
}

CONTACT_OUT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "status": {"type": "string", "enum": sorted(CONTACT_STATUSES)},
        "legal_area": {"type": ["string", "null"]},
        "urgency": {"type": "string"},
        "received_at": {"type": "string", "format": "date-time"},
        "closed_at": {"type": ["string", "null"], "format": "date-time"},
        "escalated": {"type": "boolean"},
    },
}

# Sources another agency may hand a dispute over from (五调联动, 诉调对接).
AGENCY_SOURCES = ("api", "court", "petition", "police")

DISPUTE_IN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["external_id", "place", "dispute_type", "summary"],
    "properties": {
        "external_id": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_NUL,
                        "description": "Your id for this dispute; sending it again returns the same entry."},
        "source": {"type": "string", "enum": list(AGENCY_SOURCES), "default": "api"},
        "place": {"type": "string", "minLength": 1, "maxLength": 32, "pattern": NO_NUL,
                  "description": "Code of the org unit (village, community, township or county) where it arose."},
        "found_at": {"type": "string", "format": "date-time", "maxLength": 40,
                     "description": "When it was found (default: now); not in the future."},
        "dispute_type": {"type": "string", "enum": sorted(DISPUTE_TYPES)},
        "summary": {"type": "string", "minLength": 1, "maxLength": 4000, "pattern": NO_NUL},
        "risk_level": {"type": "string", "enum": sorted(RISK_LEVELS), "default": "blue",
                       "description": "Any risk in `risks` raises it to at least orange."},
        "risks": {"type": "object", "propertyNames": {"enum": sorted(RISK_FLAGS)}, "maxProperties": len(RISK_FLAGS),
                  "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 100000},
                  "description": "Risk type -> people at risk."},
        "parties": {"type": "array", "maxItems": 50, "items": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": NO_NUL},
                           "phone": {"type": "string", "maxLength": 32, "pattern": NO_NUL},
                           "role": {"type": "string", "maxLength": 64, "pattern": NO_NUL}}}},
        "people_involved": {"type": "integer", "minimum": 0, "maximum": 1000000, "default": 2},
        "amount": {"type": "integer", "minimum": 0, "maximum": 2147483647, "description": "Yuan in dispute."},
        "language": {"type": "string", "enum": sorted(LANGUAGES), "default": "zh"},
    },
}

DISPUTE_OUT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "number": {"type": "string"}, "external_id": {"type": "string"},
        "state": {"type": "string", "enum": sorted(DISPUTE_STATES)},
        "risk_level": {"type": "string", "enum": sorted(RISK_LEVELS)},
        "committee": {"type": ["string", "null"], "description": "Code of the committee it was dispatched to."},
        "outcome": {"type": ["object", "null"], "description": "The last conclusion: succeed (with the agreement), "
                    "fail (with the guidance given), transfer (with the agency) or withdraw; null before one."},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}

ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}

ON_DUTY_OUT = {
    "type": "object",
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "lawyers": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "reason": {"type": "string", "enum": ["seat", "city", "neighbour", "qualified"]}}}},
    },
}


BOOKING_IN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["request_id", "slot_id"],
    "properties": {
        "request_id": {"type": "integer", "minimum": 1, "maximum": 2147483647},
        "slot_id": {"type": "integer", "minimum": 1, "maximum": 2147483647},
    },
}

BOOKING_OUT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "request_id": {"type": "integer"}, "slot_id": {"type": "integer"},
        "lawyer": {"type": "string"}, "mode": {"type": "string", "enum": ["video", "phone"]},
        "starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"},
        "status": {"type": "string"},
    },
}

SLOTS_OUT = {
    "type": "object",
    "properties": {"slots": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"}, "lawyer": {"type": "string"},
        "own_counsel": {"type": ["string", "null"], "enum": ["primary", "backup", None]}}}}},
}


def _errors(*codes: int) -> dict:
    return {str(code): {"description": "Error", "content": {"application/json": {"schema": ERROR}}} for code in codes}


def _scoped(operation: dict, scope: str, note: str = "") -> dict:
    """An operation that needs a scope: said in its description and x-scopes, with the 403 it answers otherwise."""
    text = f"Needs the `{scope}` scope (given at `flask api-client create --scope {scope}`); 403 otherwise.{note}"
    return operation | {"description": text, "x-scopes": [scope],
                        "responses": operation["responses"] | _errors(403)}


def document(server_url: str) -> dict:
    """The OpenAPI 3.0 document of /api/v1."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "12348 hotline integration API", "version": "1.0.0",
                 "description": "For other call centres: hand a contact to the 12348 hotline, follow its status, and "
                                "see who is on duty, book consultations for the liaisons a client acts for, hand disputes over to the "
                                "mediation ledger and follow their outcome. "
                                "Authenticate with `Authorization: Bearer <token>`. Each client holds scopes "
                                "(contacts, escalate, on-duty, bookings, disputes); an operation outside them is 403."},
        "servers": [{"url": server_url + "/api/v1"}],
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
        "paths": {
            "/contacts": {"post": _scoped({
                "operationId": "createContact", "summary": "Hand a contact over to the hotline",
                "requestBody": {"required": True, "content": {"application/json": {"schema": CONTACT_IN}}},
                "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": CONTACT_OUT}}},
                              "200": {"description": "Already received (same external_id)",
                                      "content": {"application/json": {"schema": CONTACT_OUT}}},
                              **_errors(400, 401)},
            }, "contacts", " Sending `risk_flags` also needs the `escalate` scope: each flag texts every supervisor.")},
            "/contacts/{contact_id}": {"get": _scoped({
                "operationId": "getContact", "summary": "Status of a contact you handed over",
                "parameters": [{"name": "contact_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"description": "The contact", "content": {"application/json": {"schema": CONTACT_OUT}}},
                              **_errors(401, 404)},
            }, "contacts")},
            "/on-duty": {"get": _scoped({
                "operationId": "onDuty", "summary": "Lawyers on duty now for an area and language, best first",
                "parameters": [
                    {"name": "area", "in": "query", "required": False, "schema": {"type": "string", "enum": sorted(LEGAL_AREAS)}},
                    {"name": "language", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": sorted(LANGUAGES), "default": "zh"}},
                    {"name": "city", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 32}},
                ],
                "responses": {"200": {"description": "On-duty list", "content": {"application/json": {"schema": ON_DUTY_OUT}}},
                              **_errors(400, 401)},
            }, "on-duty")},
            "/requests/{request_id}/slots": {"get": _scoped({
                "operationId": "requestSlots",
                "summary": "Free consultation slots for a counsel request, the project's own counsel first",
                "parameters": [{"name": "request_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"description": "Slots", "content": {"application/json": {"schema": SLOTS_OUT}}},
                              **_errors(401, 404)},
            }, "bookings", " Only for counsel requests of the liaisons the client acts for (`--liaison`).")},
            "/bookings": {"post": _scoped({
                "operationId": "createBooking",
                "summary": "Book a slot for a counsel request; 409 when the slot was taken first",
                "requestBody": {"required": True, "content": {"application/json": {"schema": BOOKING_IN}}},
                "responses": {"201": {"description": "Booked", "content": {"application/json": {"schema": BOOKING_OUT}}},
                              **_errors(400, 401, 404, 409)},
            }, "bookings", " Only for counsel requests of the liaisons the client acts for (`--liaison`).")},
            "/disputes": {"post": _scoped({
                "operationId": "createDispute", "summary": "Hand a dispute over to the mediation ledger",
                "requestBody": {"required": True, "content": {"application/json": {"schema": DISPUTE_IN}}},
                "responses": {"201": {"description": "Registered", "content": {"application/json": {"schema": DISPUTE_OUT}}},
                              "200": {"description": "Already received (same external_id)",
                                      "content": {"application/json": {"schema": DISPUTE_OUT}}},
                              **_errors(400, 401)},
            }, "disputes", " A city's client hands over only that city's disputes.")},
            "/disputes/{dispute_id}": {"get": _scoped({
                "operationId": "getDispute", "summary": "Status and outcome of a dispute you handed over",
                "parameters": [{"name": "dispute_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"description": "The entry", "content": {"application/json": {"schema": DISPUTE_OUT}}},
                              **_errors(401, 404)},
            }, "disputes")},
        },
    }
